#!/usr/bin/env python3
"""Writes the fuzz seed corpora into fuzz/corpus/<target>/ from the repo's own fixtures
(tests/fixtures/...), at run time: nothing here is committed and nothing comes from
../shared/corpus. pprof: every fixture .pb.gz, gzipped and raw. goroutine_text: every debug=1
and debug=2 dump. heapsnapshot: small but consistent snapshots cut from the fixture snapshots
(the first N nodes, the edges between them, the strings and locations they use), plain and
gzipped, each behind the control byte the heapsnapshot target reads first. It does not
minimise corpora (libFuzzer's -merge does that)."""

import gzip
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
OUT = ROOT / "fuzz" / "corpus"
# Bigger seeds only slow every execution down.
MAX_SEED = 64 * 1024


def put(target, data):
    if len(data) > MAX_SEED:
        return 0
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest())).write_bytes(data)
    return 1


def pprof_seeds():
    n = 0
    for p in sorted(FIX.rglob("*.pb.gz")):
        raw = p.read_bytes()
        n += put("pprof", raw) + put("pprof", gzip.decompress(raw))
    return n


def goroutine_seeds():
    n = 0
    for p in sorted(FIX.rglob("*.txt")):
        if ".debug1." in p.name or ".debug2." in p.name:
            if not p.name.endswith(".decoded.txt"):
                n += put("goroutine_text", p.read_bytes())
    return n


def cut_snapshot(snap, keep):
    """The first `keep` nodes of a parsed snapshot as a consistent snapshot, in V8's layout."""
    meta = snap["snapshot"]["meta"]
    nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
    name_f = meta["node_fields"].index("name")
    count_f = meta["node_fields"].index("edge_count")
    etype_f = meta["edge_fields"].index("type")
    ename_f = meta["edge_fields"].index("name_or_index")
    to_f = meta["edge_fields"].index("to_node")
    etypes = meta["edge_types"][0]
    nodes, edges = snap["nodes"], snap["edges"]
    keep = min(keep, len(nodes) // nf)
    strings = {0}
    out_nodes, out_edges = [], []
    e = 0
    for i in range(keep):
        rec = list(nodes[i * nf:(i + 1) * nf])
        kept = []
        for _ in range(rec[count_f]):
            edge = list(edges[e:e + ef])
            e += ef
            if edge[to_f] // nf < keep:
                kept.append(edge)
        rec[count_f] = len(kept)
        strings.add(rec[name_f])
        for edge in kept:
            if etypes[edge[etype_f]] not in ("element", "hidden"):
                strings.add(edge[ename_f])
        out_nodes.append(rec)
        out_edges.extend(kept)
    order = sorted(strings)
    index = {s: k for k, s in enumerate(order)}
    for rec in out_nodes:
        rec[name_f] = index[rec[name_f]]
    for edge in out_edges:
        if etypes[edge[etype_f]] not in ("element", "hidden"):
            edge[ename_f] = index[edge[ename_f]]
    lf = len(meta.get("location_fields", [])) or 1
    locs = snap.get("locations", [])
    out_locs = []
    for k in range(0, len(locs), lf):
        if locs[k] // nf < keep:
            out_locs.append(locs[k:k + lf])
    header = dict(snap["snapshot"], node_count=keep, edge_count=len(out_edges),
                  trace_function_count=0)
    j = lambda v: json.dumps(v, separators=(",", ":"))
    rows = lambda rs: "[" + "\n,".join(",".join(map(str, r)) for r in rs) + "]"
    parts = ['{"snapshot":' + j(header), '\n"nodes":' + rows(out_nodes),
             '\n"edges":' + rows(out_edges), '\n"trace_function_infos":[]',
             '\n"trace_tree":[]', '\n"samples":[]', '\n"locations":' + rows(out_locs),
             '\n"strings":' + j([snap["strings"][s] for s in order]) + "}"]
    return ",".join(parts).encode()


def heap_seeds():
    n = 0
    snaps = sorted(FIX.glob("heapsnapshot/*.heapsnapshot.gz"))
    for p in snaps:
        if p.name.startswith("node-leak-2") or p.name.startswith("detached-dom-2"):
            continue
        snap = json.loads(gzip.decompress(p.read_bytes()))
        for keep, control in ((6, 0x07), (40, 0x80 | 0x1f), (250, 0x3f)):
            text = cut_snapshot(snap, keep)
            n += put("heapsnapshot", bytes([control]) + text)
            n += put("heapsnapshot", bytes([control & 0x3f]) + gzip.compress(text, mtime=0))
    return n


def main():
    if len(sys.argv) > 1:
        global OUT
        OUT = pathlib.Path(sys.argv[1])
    print(f"seeds: pprof {pprof_seeds()}, goroutine_text {goroutine_seeds()}, "
          f"heapsnapshot {heap_seeds()}")


if __name__ == "__main__":
    main()
