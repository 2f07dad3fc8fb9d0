package io.storegateway.mirror;

import java.sql.SQLException;

/** The mirror database failed; the caller's unit of work did not happen. */
public final class MirrorException extends RuntimeException {
    MirrorException(SQLException cause) {
        super("mirror database: " + cause.getMessage(), cause);
    }
}
