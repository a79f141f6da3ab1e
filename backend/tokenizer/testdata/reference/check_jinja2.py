"""Cross-checks golden/templates.json (rendered by @huggingface/jinja) against
Python jinja2 set up as transformers sets it up, and writes the renders where
the two differ to golden/jinja2_overrides.json: the Go tests hold Hone to
jinja2's output there. Optional (needs jinja2); run after gen.mjs."""
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

here = os.path.dirname(os.path.abspath(__file__))


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

golden = json.load(open(os.path.join(here, "golden", "templates.json")))
bad = total = 0
overrides = {}
for t in golden["templates"]:
    path = os.path.join(here, t["source"])
    src = open(path).read() if path.endswith(".jinja") else json.load(open(path))["chat_template"]
    tpl = env.from_string(src)
    for conv, want in zip(golden["conversations"], t["renders"]):
        for key, gen in (("plain", False), ("gen", True)):
            kw = dict(messages=conv["messages"], add_generation_prompt=gen, date_string="26 Jul 2024", **conv.get("extra", {}))
            if "tools" in conv:
                kw["tools"] = conv["tools"]
            if t["bos_token"] is not None:
                kw["bos_token"] = t["bos_token"]
            if t["eos_token"] is not None:
                kw["eos_token"] = t["eos_token"]
            total += 1
            try:
                got = tpl.render(**kw)
                ok = want.get(key) == got
            except jinja2.exceptions.TemplateError as e:
                got = "error: " + str(e)
                ok = want.get(key + "_error") == str(e)
            if not ok:
                bad += 1
                overrides[f"{t['name']}/{conv['name']}/{key}"] = got
                print(f"{t['name']} / {conv['name']} / {key}: jinja2 {got!r}\n  @huggingface/jinja {want!r}")
with open(os.path.join(here, "golden", "jinja2_overrides.json"), "w") as f:
    json.dump(overrides, f, ensure_ascii=False, indent=1, sort_keys=True)
    f.write("\n")
print(f"{total - bad} renders agree, {bad} differ (written to golden/jinja2_overrides.json)")
