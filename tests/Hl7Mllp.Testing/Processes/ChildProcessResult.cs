namespace Hl7Mllp.Testing.Processes;

/// <summary>The outcome of a child process run to completion by <see cref="ChildProcess.RunAsync"/>.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="StandardOutput">Every stdout line, joined with '\n'.</param>
/// <param name="StandardError">Every stderr line, joined with '\n'.</param>
public sealed record ChildProcessResult(int ExitCode, string StandardOutput, string StandardError);
