"""Running tools (Qt-free).

- `launcher`: spawn one tool server (`python main.py --port N`), scrubbed env + `.env`, own
  process group, stderr ring buffer, /healthz wait; `ToolProcess.stop()` kills the whole group.
- `client`: keep-alive HTTP/1.1 to a tool, SSE reader for /stream.
- `pool`: `WarmPool` — one warm process per tool, shared spawns, safe LRU/memory eviction,
  per-tool TTL, pinned tools, everything stopped at exit.
- `runner`: `Runner.run()` — the life of one run (row, /run + /stream, cancel, per-run time and
  memory limits, outputs/artefacts/spill); `load_outputs()` reads a run's outputs back.
- `inputs`: checking and coercing inputs (`InputError`).
- `secrets`: `.env` editing and redaction.
"""
