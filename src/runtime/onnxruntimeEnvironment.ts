/**
 * Settings onnxruntime-node reads from the process environment when its native library starts, so
 * this module must be imported before 'onnxruntime-node' is, in the main thread (a worker thread's
 * `process.env` is a JavaScript copy that native code never sees; the workers inherit the real one).
 *
 * - ORT_DISABLE_TELEMETRY: onnxruntime for Linux contains Microsoft's 1DS telemetry client, which is
 *   on by default: it writes a device id and an event database under ~/.cache/Microsoft, a
 *   `mat-debug-<pid>.log` in $TMPDIR on every run, and sends session and error events (OS, CPU, graph
 *   name) to Microsoft's collector. enhance sends nothing anywhere; a user who wants it can set 0.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

/** onnxruntime's own log lines: errors only reach us as exceptions, which enhance reports itself. */
export const ORT_LOG_SEVERITY_FATAL = 4;
