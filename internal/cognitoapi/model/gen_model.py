#!/usr/bin/python3
"""Writes shapes.json: the part of the cognito-idp service model that
model_test.go checks the local pool's answers against — for every
operation in the dispatch table (../wire.go), its output shape and the
errors the model lists for it, and every shape those reach.

Input: the cognito-idp service model as botocore ships it, decompressed
(see gen_limits.py for where to find it). Run from this directory
(shapes.json was generated from botocore 1.43.11's model):

    zcat "$(python3 -c 'import botocore, os; print(os.path.dirname(botocore.__file__))')/data/cognito-idp/2016-04-18/service-2.json.gz" > /tmp/service-2.json
    /usr/bin/python3 gen_model.py /tmp/service-2.json
"""
import json
import re
import sys

model = json.load(open(sys.argv[1]))
shapes = model["shapes"]
wire = open("../wire.go").read()
table = wire[wire.index("var operations"):]
table = table[: table.index("\n}\n")]
ops = sorted(re.findall(r'^\t"(\w+)":', table, re.M))

# Only what a check of an answer needs: no documentation.
KEEP = ("type", "required", "members", "member", "key", "value", "enum", "min", "max", "exception")
out_shapes = {}


def reach(name):
    if name in out_shapes:
        return
    s = shapes[name]
    out_shapes[name] = {k: s[k] for k in KEEP if k in s}
    if "members" in s:
        out_shapes[name]["members"] = {m: {"shape": r["shape"]} for m, r in s["members"].items()}
        for r in s["members"].values():
            reach(r["shape"])
    for k in ("member", "key", "value"):
        if k in s:
            out_shapes[name][k] = {"shape": s[k]["shape"]}
            reach(s[k]["shape"])


out_ops = {}
for op in ops:
    if op not in model["operations"]:
        sys.exit("the model has no operation %s: use a newer model" % op)
    o = model["operations"][op]
    entry = {"errors": sorted(e["shape"] for e in o.get("errors", []))}
    if "output" in o:
        entry["output"] = o["output"]["shape"]
        reach(o["output"]["shape"])
    for e in entry["errors"]:
        reach(e)
    out_ops[op] = entry

doc = {
    "apiVersion": model["metadata"]["apiVersion"],
    "operations": out_ops,
    "shapes": dict(sorted(out_shapes.items())),
}
with open("shapes.json", "w") as f:
    json.dump(doc, f, indent=1, sort_keys=True)
    f.write("\n")
