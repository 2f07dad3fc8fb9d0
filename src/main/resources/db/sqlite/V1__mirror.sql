-- The mirror on SQLite (README "The mirror"). Times are milliseconds since the epoch (UTC), prices
-- exact decimals as text. The same tables as PostgreSQL's V5, in SQLite's types.

-- HQ's acknowledged state (never the store's pending changes: those are queued_update), and for each
-- field the HQ version that last changed it, when (HQ's updatedAt), and whether this store's own
-- update made that change (the store's APPLIED answer) or HQ did (changes feed, catalogue,
-- reconciliation, an answer that skipped versions): what last-write-wins needs to tell a true
-- conflict from the store's own earlier writes.
CREATE TABLE product (
    sku                TEXT    NOT NULL PRIMARY KEY,
    name               TEXT,
    price              TEXT,
    quantity           INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL,
    updated_at         INTEGER,
    deleted            INTEGER NOT NULL DEFAULT 0,
    synced_at          INTEGER NOT NULL,
    reconcile_run      INTEGER,
    name_version       INTEGER,
    name_at            INTEGER,
    name_by_store      INTEGER,
    price_version      INTEGER,
    price_at           INTEGER,
    price_by_store     INTEGER,
    quantity_version   INTEGER,
    quantity_at        INTEGER,
    quantity_by_store  INTEGER,
    deleted_version    INTEGER,
    deleted_at         INTEGER,
    deleted_by_store   INTEGER
) WITHOUT ROWID;

-- Updates waiting for HQ: a row is written once the update is on the broker's journal and deleted
-- when HQ's answer settles it. Small (the backlog), and the only table the effective view sums up:
-- the values an update sets are columns, so no payload is parsed to read a product.
CREATE TABLE queued_update (
    seq          INTEGER PRIMARY KEY,
    update_id    TEXT    NOT NULL UNIQUE,
    sku          TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    terminal_id  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    name         TEXT,
    price        TEXT,
    quantity     INTEGER,
    delta        INTEGER
);
CREATE INDEX queued_update_sku ON queued_update (sku, seq, type, delta);

-- Updates HQ has answered: appended once, never moved; pruned in id order after the retention.
CREATE TABLE settled_update (
    id           INTEGER PRIMARY KEY,
    update_id    TEXT    NOT NULL UNIQUE,
    sku          TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    terminal_id  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    settled_at   INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    reason       TEXT,
    hq_version   INTEGER
);

-- Every change made to the product table, field by field, in the order made; pruned in id order
-- after the retention. No index on sku: each would cost the drain a page write per update; a
-- product's history is a scan (a second or two in the sqlite3 shell for a month of a busy store).
CREATE TABLE mirror_audit (
    id          INTEGER PRIMARY KEY,
    sku         TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    source      TEXT    NOT NULL,
    update_id   TEXT,
    changed_at  INTEGER NOT NULL
);

-- Conflicts parked for a person (policy MANUAL). Ids are never reused (IT refers to them).
CREATE TABLE conflict (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id     TEXT    NOT NULL UNIQUE,
    sku           TEXT    NOT NULL,
    local_update  TEXT    NOT NULL,
    hq_record     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    resolution    TEXT,
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER
);
CREATE INDEX conflict_status_sku ON conflict (status, sku);

-- Small named values that must survive a restart: the HQ changes cursor, the last reconciliation.
CREATE TABLE sync_state (
    state_key    TEXT    NOT NULL PRIMARY KEY,
    state_value  TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Running totals kept in the same transactions as the rows they count (proof of delivery without a
-- scan): updates accepted, updates settled by HQ, and the newest settle time.
CREATE TABLE mirror_counter (
    name   TEXT    NOT NULL PRIMARY KEY,
    value  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO mirror_counter (name, value) VALUES ('accepted', 0), ('settled', 0), ('last_settled_at', 0);
