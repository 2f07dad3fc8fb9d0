package io.storegateway.mirror;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps the SQLite file close to the size of its live data: checkpoints copy the WAL into the main
 * file (and empty it) every second, off the writers' path but for a moment, and freed pages (a
 * drained backlog, pruned history) are given back to the disk in small steps of incremental vacuum.
 */
final class SqliteSpace {

    /** Free pages are given back once they are a twentieth of the file (and at least this many). */
    static final long MIN_FREE_PAGES = 16;
    /** Pages given back per step; each step holds the writer for a few milliseconds. */
    static final int PAGES_PER_STEP = 512;

    /** How long the truncating checkpoint waits for readers while it holds the writer. */
    static final int TRUNCATE_WAIT_MS = 100;

    private final MirrorDatabase db;

    SqliteSpace(MirrorDatabase db) {
        this.db = db;
    }

    /**
     * Copies what the WAL holds into the main file and empties the WAL. A passive checkpoint alone never
     * catches up while a drain keeps writing (the WAL then grows without end), so: first a passive one
     * beside the writers, which copies nearly everything, then a truncating one with the writer held,
     * which copies the few pages written meanwhile and cuts the WAL file to nothing.
     */
    void checkpoint() {
        db.read(c -> pragma(c, "wal_checkpoint(PASSIVE)"));
        db.withWriterOutsideTransaction(c -> {
            // A reader on an older snapshot makes it wait: not for long with the writer held (next second, then).
            pragma(c, "busy_timeout = " + TRUNCATE_WAIT_MS);
            try {
                return pragma(c, "wal_checkpoint(TRUNCATE)");
            } finally {
                pragma(c, "busy_timeout = " + MirrorDatabase.SQLITE_BUSY_TIMEOUT_MS);
            }
        });
    }

    /** The file's pages and how many of them are free. */
    record Pages(long pageSize, long pages, long free) {
        long bytes() {
            return pageSize * pages;
        }
    }

    Pages pages() {
        return db.read(c -> new Pages(pragma(c, "page_size"), pragma(c, "page_count"), pragma(c, "freelist_count")));
    }

    /** Gives free pages back to the disk while there are enough to bother; returns how many. */
    long giveBackFreePages(Runnable pause) {
        long given = 0;
        while (true) {
            Pages p = pages();
            if (p.free() < Math.max(MIN_FREE_PAGES, p.pages() / 20)) {
                break;
            }
            long freed = db.withWriterOutsideTransaction(c -> {
                long before = pragma(c, "freelist_count");
                try (Statement st = c.createStatement()) {
                    // executeUpdate steps the pragma to its end; execute would free one page per call.
                    st.executeUpdate("PRAGMA incremental_vacuum(" + PAGES_PER_STEP + ")");
                }
                return before - pragma(c, "freelist_count");
            });
            if (freed <= 0) {
                break;
            }
            given += freed;
            pause.run();
        }
        if (given > 0) {
            checkpoint(); // the main file is cut short when the moved pages are checkpointed
        }
        return given;
    }

    /** {@code PRAGMA integrity_check}: "ok", or the first problems SQLite found. */
    String integrityCheck() {
        return db.read(c -> {
            StringBuilder out = new StringBuilder();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check(20)")) {
                while (rs.next()) {
                    out.append(out.isEmpty() ? "" : "; ").append(rs.getString(1));
                }
            }
            return out.toString();
        });
    }

    private static long pragma(Connection c, String pragma) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
