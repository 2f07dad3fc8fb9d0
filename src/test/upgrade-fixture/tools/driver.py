#!/usr/bin/env python3
"""Builds the H2-mirror (Flyway v4) gateway data-dir fixture with the OLD gateway jar.

Called by ../make-fixture.sh; stdlib only. Steps (numbers as in HOWTO.md):
  1 HQ simulator + gateway (`run`, MANUAL conflicts, changes poll 500 ms), catalogue loaded
  2 300 ADJUST_QUANTITY updates hist-0001.. with HQ up, all APPLIED
  3 3 price edits at HQ, taken in by the changes poll (cursor stored in the mirror)
  4 4 SET_PRICE updates with baseVersion 1 -> 4 OPEN (MANUAL) conflicts conf-1..conf-4
  5 HQ down; 2,000 ADJUST_QUANTITY updates q-00001..q-02000 QUEUED (1,950 HTTP in arrays of 100, 50 JMS)
  6 SIGTERM gateway (exit 0), then the simulator
  7/8 tarball of data/, then manifest.json read from an extracted COPY of the tarball
"""
import argparse
import datetime
import decimal
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

COMMIT = "5650c42"
STORE = "S001"
# Same users and tokens as src/test/java/io/storegateway/TestUsers.java, so a test can reuse TestUsers.
TERMINAL_USER, TERMINAL_TOKEN = "terminal-01", "test-terminal-token-7c1e9a"
ADMIN_USER, ADMIN_TOKEN = "it-admin", "test-admin-token-3f6b2d"
HQ_TOKEN = "fixture-hq-token-5650c42"
SEEDED_CATALOGUE_SIZE = 20  # cli.Commands.DEMO_CATALOGUE_SIZE in the old jar (checked with javap)
SKUS = ["SKU-%04d" % i for i in range(1, SEEDED_CATALOGUE_SIZE + 1)]

HISTORY_COUNT = 300
HISTORY_SKUS = SKUS[:10]
HQ_EDITS = [("SKU-0001", "9.99"), ("SKU-0002", "4.44"), ("SKU-0003", "7.77")]
CONFLICTS = [("conf-1", "SKU-0001", "1.11"), ("conf-2", "SKU-0002", "2.22"),
             ("conf-3", "SKU-0003", "3.33"), ("conf-4", "SKU-0004", "4.04")]
QUEUED_COUNT = 2000
JMS_COUNT = 50  # the last 50 of the backlog go over JMS
HTTP_ARRAY = 100


STARTED = []


def _reap():
    for p in STARTED:
        if p.poll() is None:
            p.kill()


import atexit  # noqa: E402
atexit.register(_reap)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Http:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, token=None, ok=(200,), retries_429=200):
        data = None if body is None else json.dumps(body).encode()
        for _ in range(retries_429):
            req = urllib.request.Request(self.base + path, data=data, method=method)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            if token:
                req.add_header("Authorization", "Bearer " + token)
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, text = r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                status, text = e.code, e.read().decode()
                if status == 429:
                    time.sleep(float(e.headers.get("Retry-After", "1")))
                    continue
            if status not in ok:
                raise RuntimeError(f"{method} {self.base}{path} -> {status} {text[:500]}")
            return status, (json.loads(text) if text.strip() else None)
        raise RuntimeError(f"{method} {path}: still 429 after {retries_429} tries")


def wait_for(what, fn, timeout=120, interval=0.25):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - a not-yet-up server, say
            last = e
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what} (last: {last!r})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--routes", required=True, help="route files of the old commit")
    args = ap.parse_args()

    jar = os.path.abspath(args.jar)
    fix = os.path.abspath(args.fixture)
    work = os.path.join(fix, "work")
    data = os.path.join(work, "data")
    tools = os.path.join(fix, "tools")
    java = shutil.which("java")
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    shutil.copytree(args.routes, os.path.join(work, "routes"))

    sim_port, http_port, broker_port = free_ports(3)
    hq_url = f"http://localhost:{sim_port}"
    gw_url = f"http://localhost:{http_port}"

    # ---- configuration files
    with open(os.path.join(work, "users.properties"), "w") as f:
        for user, role, token in [(TERMINAL_USER, "terminal", TERMINAL_TOKEN), (ADMIN_USER, "admin", ADMIN_TOKEN)]:
            f.write(f"{user} = {role}:sha256:{hashlib.sha256(token.encode()).hexdigest()}\n")
    sim_conf = os.path.join(work, "hq-simulator.properties")
    with open(sim_conf, "w") as f:
        f.write(f"gateway.store-id = {STORE}\n# the simulator requires this bearer token (hq.token, else gateway.hq.token)\n"
                f"hq.token = {HQ_TOKEN}\nhq.port = {sim_port}\n")
    gw_settings = {
        "gateway.store-id": STORE,
        "gateway.data-dir": data,
        "gateway.http.port": str(http_port),
        "gateway.broker.port": str(broker_port),
        "gateway.hq.url": hq_url,
        "gateway.hq.token": HQ_TOKEN,
        "gateway.routes-dir": os.path.join(work, "routes"),
        "gateway.security.users-file": os.path.join(work, "users.properties"),
        "gateway.conflict.policy": "MANUAL",
        "gateway.changes.interval-ms": "500",
        "gateway.catalogue.retry-ms": "1000",
        "gateway.forward.backoff.initial-ms": "100",
        "gateway.forward.backoff.max-ms": "1000",
        "gateway.hq.connect-timeout-ms": "1000",
        "gateway.hq.response-timeout-ms": "2000",
    }
    gw_conf = os.path.join(work, "gateway.properties")
    with open(gw_conf, "w") as f:
        f.writelines(f"{k} = {v}\n" for k, v in gw_settings.items())

    v = subprocess.run([java, "-jar", jar, "validate", "--config", gw_conf], capture_output=True, text=True)
    log(f"validate exit {v.returncode}: {v.stdout.strip()} {v.stderr.strip()}")
    if v.returncode != 0:
        sys.exit("validate failed")

    # ---- step 1: simulator and gateway
    sim_log = open(os.path.join(work, "hq-simulator.log"), "w")
    sim = subprocess.Popen([java, f"-Dhq.port={sim_port}", "-jar", jar, "hq-simulator", "--config", sim_conf],
                           stdout=sim_log, stderr=subprocess.STDOUT, cwd=work)
    STARTED.append(sim)
    hq = Http(hq_url)
    wait_for("HQ simulator", lambda: hq.call("GET", "/hq/v1/health")[0] == 200, timeout=60)
    _, inv = hq.call("GET", f"/hq/v1/stores/{STORE}/inventory?limit=5000", token=HQ_TOKEN)
    seeded = [p["sku"] for p in inv["items"]]
    log(f"simulator on {hq_url}: {len(seeded)} products seeded ({seeded[0]}..{seeded[-1]})")
    assert seeded == SKUS, seeded

    gw_log_path = os.path.join(work, "gateway.log")
    gw_log = open(gw_log_path, "w")
    gw = subprocess.Popen([java, "-Xmx256m", "-jar", jar, "run", "--config", gw_conf],
                          stdout=gw_log, stderr=subprocess.STDOUT, cwd=work)
    STARTED.append(gw)
    api = Http(gw_url)

    def alive():
        if gw.poll() is not None:
            raise SystemExit(f"gateway exited with {gw.returncode}; see {gw_log_path}")

    def products():
        alive()
        return api.call("GET", "/api/v1/products?limit=500", token=TERMINAL_TOKEN)[1]["items"]

    wait_for("catalogue in the mirror", lambda: len(products()) == SEEDED_CATALOGUE_SIZE, timeout=120)
    log(f"gateway on {gw_url} (broker {broker_port}); catalogue loaded: {len(products())} products")

    def status():
        return api.call("GET", "/admin/v1/status", token=ADMIN_TOKEN)[1]

    def update_status(uid):
        return api.call("GET", f"/api/v1/updates/{uid}", token=TERMINAL_TOKEN)[1]

    def post(body):
        _, ans = api.call("POST", "/api/v1/updates", body=body, token=TERMINAL_TOKEN, ok=(202,))
        return ans["accepted"]

    # ---- step 2: history, HQ up
    rng = random.Random(5650)
    history = []
    for i in range(1, HISTORY_COUNT + 1):
        u = {"updateId": "hist-%04d" % i, "terminalId": "till-01", "type": "ADJUST_QUANTITY",
             "sku": HISTORY_SKUS[(i - 1) % len(HISTORY_SKUS)], "delta": rng.choice([-3, -2, -1, 1, 2, 5]),
             "occurredAt": now_iso()}
        acc = post(u)
        assert acc == [{"updateId": u["updateId"], "status": "QUEUED"}], acc
        history.append(u)
    wait_for("history drained", lambda: status()["backlog"] == 0, timeout=180)
    for u in history:
        wait_for(f"{u['updateId']} APPLIED", lambda: update_status(u["updateId"])["status"] == "APPLIED", timeout=60)
    log(f"{len(history)} history updates APPLIED")

    # ---- step 3: edits at HQ, taken in by the changes poll
    hq_edits = []
    for sku, price in HQ_EDITS:
        _, rec = hq.call("PUT", f"/sim/v1/stores/{STORE}/products/{sku}", body={"price": price})
        hq_edits.append({"sku": sku, "price": price, "hqVersion": rec["version"]})

    def took_edit(e):
        p = api.call("GET", f"/api/v1/products/{e['sku']}", token=TERMINAL_TOKEN)[1]
        return p["hq"]["version"] >= e["hqVersion"] and decimal.Decimal(str(p["hq"]["price"])) == decimal.Decimal(e["price"])

    for e in hq_edits:
        wait_for(f"HQ edit of {e['sku']} in the mirror", lambda: took_edit(e), timeout=60)
    log(f"HQ edits taken in: {hq_edits}")

    # ---- step 4: conflicts (MANUAL)
    conflicts = []
    for uid, sku, price in CONFLICTS:
        u = {"updateId": uid, "terminalId": "till-01", "type": "SET_PRICE", "sku": sku, "price": decimal_json(price),
             "baseVersion": 1, "occurredAt": now_iso()}
        acc = post(u)
        assert acc == [{"updateId": uid, "status": "QUEUED"}], acc
        conflicts.append({"updateId": uid, "sku": sku, "price": price, "baseVersion": 1})

    def listed():
        items = api.call("GET", "/admin/v1/conflicts", token=ADMIN_TOKEN)[1]["items"]
        ids = {c["updateId"]: c for c in items}
        return ids if all(c["updateId"] in ids for c in conflicts) else None

    listed_now = wait_for("conflicts listed", listed, timeout=60)
    for c in conflicts:
        c["conflictId"] = listed_now[c["updateId"]]["id"]
        c["hqVersionAtConflict"] = listed_now[c["updateId"]]["hq"]["version"]
        st = update_status(c["updateId"])
        c["updateStatus"] = st["status"]
    log(f"open conflicts: {[(c['updateId'], c['conflictId'], c['updateStatus']) for c in conflicts]}")
    sim_inventory = hq.call("GET", f"/hq/v1/stores/{STORE}/inventory?limit=5000", token=HQ_TOKEN)[1]["items"]
    _, changes = hq.call("GET", f"/hq/v1/stores/{STORE}/changes?since=0", token=HQ_TOKEN)

    # ---- step 5: HQ down, backlog
    hq.call("POST", "/sim/v1/faults", body={"mode": "down"})
    wait_for("gateway sees HQ offline", lambda: status()["online"] is False, timeout=30)
    queued = []
    for i in range(1, QUEUED_COUNT + 1):
        queued.append({"updateId": "q-%05d" % i, "terminalId": "till-02", "type": "ADJUST_QUANTITY",
                       "sku": SKUS[(i - 1) % len(SKUS)], "delta": rng.choice([-1, 1]), "occurredAt": now_iso()})
    http_part, jms_part = queued[:QUEUED_COUNT - JMS_COUNT], queued[QUEUED_COUNT - JMS_COUNT:]
    for k in range(0, len(http_part), HTTP_ARRAY):
        chunk = http_part[k:k + HTTP_ARRAY]
        acc = post(chunk)
        assert acc == [{"updateId": u["updateId"], "status": "QUEUED"} for u in chunk], acc
    for u in http_part:
        u["channel"] = "HTTP"
    log(f"{len(http_part)} updates posted over HTTP, all 202 QUEUED")
    jms_file = os.path.join(work, "jms-updates.jsonl")
    with open(jms_file, "w") as f:
        for u in jms_part:
            u["terminalId"] = "handheld-01"
            f.write(json.dumps(u) + "\n")
    r = subprocess.run([java, "-cp", jar, os.path.join(tools, "JmsSend.java"), f"tcp://localhost:{broker_port}",
                        TERMINAL_USER, TERMINAL_TOKEN, jms_file], capture_output=True, text=True)
    log(f"JmsSend exit {r.returncode}: {r.stdout.strip()} {r.stderr.strip()[-500:]}")
    if r.returncode != 0:
        raise SystemExit("JMS send failed")
    for u in jms_part:
        u["channel"] = "JMS"
    for u in queued:
        st = wait_for(f"{u['updateId']} known", lambda: update_status_or_none(api, u["updateId"]), timeout=60)
        if st["status"] != "QUEUED" or st.get("channel") not in (None, u["channel"]):
            raise SystemExit(f"{u['updateId']}: {st}")
    st = wait_for("backlog 2000", lambda: (lambda s: s if s["backlog"] == QUEUED_COUNT else None)(status()), timeout=60)
    log(f"all {QUEUED_COUNT} QUEUED; status: {json.dumps(st)}")
    final_status = st
    products_at_stop = products()

    # ---- step 6: graceful stop
    gw.send_signal(signal.SIGTERM)
    gw_exit = gw.wait(timeout=120)
    log(f"gateway exit code after SIGTERM: {gw_exit}")
    sim.send_signal(signal.SIGTERM)
    sim_exit = sim.wait(timeout=60)
    log(f"simulator exit code after SIGTERM: {sim_exit}")
    gw_log.close()
    sim_log.close()
    if gw_exit != 0:
        raise SystemExit("gateway did not exit 0")

    # ---- step 8 (before reading H2, which would write to it): the tarball
    data_files = sorted(os.path.relpath(os.path.join(d, n), work) for d, _, ns in os.walk(data) for n in ns)
    logs_in_data = [p for p in data_files if p.endswith(".log") or "/log" in p]
    tgz = os.path.join(fix, "h2-mirror-v4-datadir.tar.gz")
    subprocess.run(["bash", "-c", f"set -o pipefail; tar -C '{work}' --sort=name --owner=0 --group=0 --numeric-owner "
                    f"-cf - data | gzip -9 > '{tgz}'"], check=True)
    du = {}
    for p in data_files:
        top = "/".join(p.split("/")[:3])
        du[top] = du.get(top, 0) + os.path.getsize(os.path.join(work, p))

    # ---- step 7: read the mirror from an extracted copy of the tarball
    copy = os.path.join(work, "verify")
    os.makedirs(copy)
    with tarfile.open(tgz) as t:
        t.extractall(copy)
    url = f"jdbc:h2:file:{copy}/data/mirror/mirror"
    q = {
        "sync": "SELECT state_key, state_value, updated_at FROM sync_state ORDER BY state_key",
        "product": "SELECT COUNT(*) AS n FROM product",
        "upd": "SELECT status, COUNT(*) AS n FROM store_update GROUP BY status ORDER BY status",
        "conf": "SELECT status, COUNT(*) AS n FROM conflict GROUP BY status ORDER BY status",
        "audit": "SELECT COUNT(*) AS n FROM mirror_audit",
        "auditBySource": "SELECT source, COUNT(*) AS n FROM mirror_audit GROUP BY source ORDER BY source",
        "syncN": "SELECT COUNT(*) AS n FROM sync_state",
        "conflicts": "SELECT id, update_id, sku, status FROM conflict ORDER BY id",
        "queued": "SELECT update_id, sku, channel, payload FROM store_update WHERE status = 'QUEUED' ORDER BY seq",
        "applied": "SELECT update_id FROM store_update WHERE status = 'APPLIED' ORDER BY seq",
        "products": "SELECT sku, name, price, quantity, version, deleted FROM product ORDER BY sku",
        "flyway": 'SELECT "installed_rank", "version", "description", "script", "checksum", "success" '
                  'FROM "flyway_schema_history" ORDER BY "installed_rank"',
    }
    r = subprocess.run([java, "-cp", jar, os.path.join(tools, "H2Query.java"), url, *q.values()],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("H2Query failed: " + r.stderr)
    res = {k: json.loads(r.stdout)[sql] for k, sql in q.items()}
    shutil.rmtree(copy)

    sync = {row["state_key"]: row["state_value"] for row in res["sync"]}
    db_queued = {row["update_id"]: row for row in res["queued"]}
    db_conflicts = {row["update_id"]: row for row in res["conflicts"]}
    checks = {
        "queuedIdsMatchSent": sorted(db_queued) == sorted(u["updateId"] for u in queued),
        "queuedSkuAndDeltaMatch": all(db_queued[u["updateId"]]["sku"] == u["sku"]
                                      and json.loads(db_queued[u["updateId"]]["payload"]).get("delta") == u["delta"]
                                      for u in queued),
        "queuedChannelsMatch": all(db_queued[u["updateId"]]["channel"] == u["channel"] for u in queued),
        "appliedIdsMatchHistory": [row["update_id"] for row in res["applied"]] == [u["updateId"] for u in history],
        "openConflictsMatch": all(db_conflicts[c["updateId"]]["id"] == c["conflictId"]
                                  and db_conflicts[c["updateId"]]["status"] == "OPEN" for c in conflicts),
        "gatewayExit0": gw_exit == 0,
    }

    with open(gw_log_path) as f:
        gw_lines = f.read().splitlines()
    warn_err = [l for l in gw_lines if " WARN " in l or " ERROR " in l]

    manifest = {
        "fixture": os.path.basename(tgz),
        "createdAt": now_iso(),
        "oldGateway": {"jar": os.path.basename(jar), "commit": COMMIT,
                       "jarSha256": hashlib.sha256(open(jar, "rb").read()).hexdigest()},
        "storeId": STORE,
        "tarball": {"root": "data/", "bytes": os.path.getsize(tgz),
                    "sha256": hashlib.sha256(open(tgz, "rb").read()).hexdigest(),
                    "files": data_files, "bytesByDir": du, "logFilesExcluded": logs_in_data},
        "credentials": {"terminalUser": TERMINAL_USER, "terminalToken": TERMINAL_TOKEN,
                        "adminUser": ADMIN_USER, "adminToken": ADMIN_TOKEN, "hqToken": HQ_TOKEN,
                        "note": "test tokens, as in src/test/java/io/storegateway/TestUsers.java"},
        "gatewayConfig": {k: v for k, v in gw_settings.items()},
        "simulator": {"seededCatalogueSize": len(seeded), "seededSkus": seeded,
                      "note": "simulator state is in memory only: inventoryAtEnd is HQ's state when the fixture "
                              "was made (before HQ went down), changesLog its edit log (cursor = its length)",
                      "inventoryAtEnd": sim_inventory, "changesLog": changes},
        "history": {"count": len(history), "allApplied": True,
                    "updates": [{"updateId": u["updateId"], "sku": u["sku"], "delta": u["delta"]} for u in history]},
        "appliedHistoryIds": [u["updateId"] for u in history],
        "hqEdits": hq_edits,
        "changesCursor": sync.get("hq.changes.cursor"),
        "openConflicts": conflicts,
        "queued": {"count": len(queued), "http": len(http_part), "jms": len(jms_part),
                   "updates": [{"updateId": u["updateId"], "sku": u["sku"], "delta": u["delta"],
                                "channel": u["channel"]} for u in queued]},
        "gatewayStatusBeforeStop": final_status,
        "productsBeforeStop": products_at_stop,
        "h2": {
            "jdbcUrl": "jdbc:h2:file:<data-dir>/mirror/mirror (user sa, no password)",
            "flywaySchemaVersion": max((row["version"] for row in res["flyway"] if row["version"]),
                                       key=lambda s: int(s)),
            "flywaySchemaHistory": res["flyway"],
            "rowCounts": {
                "product": res["product"][0]["n"],
                "store_update": {row["status"]: row["n"] for row in res["upd"]},
                "conflict": {row["status"]: row["n"] for row in res["conf"]},
                "mirror_audit": res["audit"][0]["n"],
                "mirror_auditBySource": {row["source"]: row["n"] for row in res["auditBySource"]},
                "sync_state": res["syncN"][0]["n"],
            },
            "syncState": res["sync"],
            "productRows": res["products"],
        },
        "gatewayLog": {"lines": len(gw_lines), "warnOrErrorLines": warn_err},
        "checks": checks,
    }
    with open(os.path.join(fix, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, default=str)
        f.write("\n")
    log(f"tarball {tgz}: {os.path.getsize(tgz)} bytes; checks {checks}")
    log(f"row counts {manifest['h2']['rowCounts']}; flyway {manifest['h2']['flywaySchemaVersion']}; "
        f"cursor {manifest['changesCursor']}; WARN/ERROR lines {len(warn_err)}")
    if not all(checks.values()):
        raise SystemExit("a check failed: " + json.dumps(checks))


def decimal_json(s):
    return float(s)  # 2-decimal prices survive float JSON (Python prints the shortest repr: 1.11)


def update_status_or_none(api, uid):
    try:
        return api.call("GET", f"/api/v1/updates/{uid}", token=TERMINAL_TOKEN)[1]
    except RuntimeError as e:
        if "-> 404" in str(e):
            return None
        raise


if __name__ == "__main__":
    main()
