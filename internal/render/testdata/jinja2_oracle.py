#!/usr/bin/python3
"""Fill in what Python Jinja2 renders for each case of a cases file, in place.

Usage: /usr/bin/python3 jinja2_oracle.py jinja2_cases.json   (Debian: apt-get install python3-jinja2)

Each case: {"name", "template", "context" (object), "files" (optional object of extra
templates)}; this script sets "want" (the output) or "error" (Jinja2's exception, for a
template Jinja2 fails on) with the default Environment, as AWS Proton renders.
"""
import json
import sys

import jinja2


def render(case):
    files = dict(case.get("files") or {})
    files["t.j2"] = case["template"]
    env = jinja2.Environment(loader=jinja2.DictLoader(files))
    try:
        return {"want": env.get_template("t.j2").render(**case.get("context", {}))}
    except Exception as e:  # noqa: BLE001 - the failure is the expected result
        return {"error": f"{type(e).__name__}: {e}"}


def main(path):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    for case in cases:
        case.pop("want", None)
        case.pop("error", None)
        case.update(render(case))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"jinja2 {jinja2.__version__}: {len(cases)} cases written to {path}")


if __name__ == "__main__":
    main(sys.argv[1])
