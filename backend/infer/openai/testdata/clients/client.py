"""The official OpenAI Python SDK against a Hone server.

Lists the models, then for each model in HONE_TEST_MODELS (comma-separated,
the base first) runs a chat completion whole and streamed, and a text
completion whole and streamed, greedy and seeded, so whole and streamed text
must match; then checks that an unknown model is the SDK's NotFoundError and
a bad field its BadRequestError. Prints a JSON summary; exits 1 on any failed
check. Reads OPENAI_BASE_URL and OPENAI_API_KEY, as the SDK does.
"""

import json
import os
import sys

import openai

MODELS = [m for m in os.environ.get("HONE_TEST_MODELS", "").split(",") if m]
SAMPLING = {"temperature": 0, "seed": 1234, "max_tokens": 24}
MESSAGES = [
    {"role": "system", "content": "You are brief."},
    {"role": "user", "content": "Say hello to the tester."},
]
PROMPT = "The capital of France is"

client = openai.OpenAI(max_retries=0)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def chat(model):
    whole = client.chat.completions.create(model=model, messages=MESSAGES, **SAMPLING)
    stream = client.chat.completions.create(
        model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **SAMPLING
    )
    text, finish, usage, role = "", None, None, None
    for chunk in stream:
        for c in chunk.choices:
            role = role or c.delta.role
            text += c.delta.content or ""
            finish = c.finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    choice = whole.choices[0]
    check(whole.object == "chat.completion" and whole.id.startswith("chatcmpl-"), f"{model}: chat envelope {whole.object} {whole.id}")
    check(choice.message.role == "assistant" and role == "assistant", f"{model}: chat roles {choice.message.role} {role}")
    check(len(choice.message.content) > 0, f"{model}: empty chat")
    check(text == choice.message.content, f"{model}: streamed chat {text!r} != {choice.message.content!r}")
    check(finish == choice.finish_reason, f"{model}: chat finish {finish} != {choice.finish_reason}")
    check(usage is not None and usage.completion_tokens == whole.usage.completion_tokens, f"{model}: chat usage {usage} != {whole.usage}")
    return {"text": choice.message.content, "streamed": text, "finish": finish, "usage": whole.usage.model_dump()}


def completion(model):
    whole = client.completions.create(model=model, prompt=PROMPT, **SAMPLING)
    stream = client.completions.create(model=model, prompt=PROMPT, stream=True, **SAMPLING)
    text, finish = "", None
    for chunk in stream:
        for c in chunk.choices:
            text += c.text
            finish = c.finish_reason or finish
    choice = whole.choices[0]
    check(whole.object == "text_completion" and len(choice.text) > 0, f"{model}: completion {whole}")
    check(text == choice.text, f"{model}: streamed completion {text!r} != {choice.text!r}")
    check(finish == choice.finish_reason, f"{model}: completion finish {finish} != {choice.finish_reason}")
    return {"text": choice.text, "streamed": text, "finish": finish, "usage": whole.usage.model_dump()}


def error_name(call):
    try:
        call()
        return "none"
    except openai.NotFoundError as e:
        return f"NotFoundError {e.status_code} {e.code}"
    except openai.BadRequestError as e:
        return f"BadRequestError {e.status_code} {e.param}"
    except Exception as e:  # any other failure is reported, not raised
        return f"{type(e).__name__}: {e}"


def main():
    listed = [m.id for m in client.models.list()]
    for m in MODELS:
        check(m in listed, f"models.list lacks {m}: {listed}")
    results = {model: {"chat": chat(model), "completion": completion(model)} for model in MODELS}
    not_found = error_name(lambda: client.chat.completions.create(model="no-such-model", messages=MESSAGES))
    check(not_found == "NotFoundError 404 model_not_found", f"unknown model: {not_found}")
    bad = error_name(lambda: client.chat.completions.create(model=MODELS[0], messages=MESSAGES, temperature=5))
    check(bad == "BadRequestError 400 temperature", f"bad temperature: {bad}")
    summary = {
        "sdk": f"python openai {openai.__version__}",
        "listed": listed,
        "results": results,
        "notFound": not_found,
        "badRequest": bad,
        "failures": failures,
        "ok": not failures,
    }
    print(json.dumps(summary))
    return 0 if not failures else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a crash is a failed run with its reason
        print(json.dumps({"sdk": "python openai", "failures": [f"{type(e).__name__}: {e}"], "ok": False}))
        sys.exit(1)
