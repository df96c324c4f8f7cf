using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Hl7Mllp.Testing.Processes;

/// <summary>
/// A child process started by a test (a <c>dotnet</c> app for crash tests, or any program), with stdout/stderr captured
/// line by line, waits bounded by a timeout, and a SIGKILL of its whole tree. Disposing kills it if still running.
/// </summary>
/// <remarks>Thread-safe. Only the process this instance started is ever killed, by its id.</remarks>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(ProcessStartInfo startInfo)
    {
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _output, _outputClosed, matchWaiters: true);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _error, _errorClosed, matchWaiters: false);
        _process.Start();
        Id = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The operating-system process id.</summary>
    public int Id { get; }

    /// <summary>True once the process has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid once <see cref="HasExited"/> is true (137 or -1 style codes after a kill).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>A snapshot of the stdout lines received so far.</summary>
    public IReadOnlyList<string> StandardOutput => Snapshot(_output);

    /// <summary>A snapshot of the stderr lines received so far.</summary>
    public IReadOnlyList<string> StandardError => Snapshot(_error);

    /// <summary>Starts <c>dotnet <paramref name="dllPath"/> <paramref name="arguments"/></c> with the muxer running this test.</summary>
    /// <param name="dllPath">The app's main assembly (for example another project's build output).</param>
    /// <param name="arguments">Arguments after the dll, passed without shell quoting.</param>
    /// <param name="environment">Variables to set (null value = remove) on top of this process's environment.</param>
    /// <param name="workingDirectory">Working folder; default the current one.</param>
    public static ChildProcess StartDotnet(string dllPath, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dllPath);
        return Start(DotnetHostPath(), [dllPath, .. arguments ?? []], environment, workingDirectory);
    }

    /// <summary>Starts <paramref name="fileName"/> (looked up on PATH when not rooted) with <paramref name="arguments"/>.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Arguments, passed without shell quoting.</param>
    /// <param name="environment">Variables to set (null value = remove) on top of this process's environment.</param>
    /// <param name="workingDirectory">Working folder; default the current one.</param>
    public static ChildProcess Start(string fileName, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        return new ChildProcess(startInfo);
    }

    /// <summary>Runs a program to completion and returns its exit code and output; kills it when <paramref name="timeout"/> passes.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/> (it has been killed).</exception>
    public static async Task<ChildProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var child = Start(fileName, arguments, environment);
        var exitCode = await child.WaitForExitAsync(timeout);
        return new ChildProcessResult(exitCode, string.Join('\n', child.StandardOutput), string.Join('\n', child.StandardError));
    }

    /// <summary>Returns the first stdout line (already received or still to come) matching <paramref name="predicate"/>.</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>, or stdout closed first; the message shows the last lines.</exception>
    public async Task<string> WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var line = _output.Find(l => predicate(l));
            if (line is not null)
            {
                return line;
            }

            _waiters.Add((predicate, found));
        }

        try
        {
            await Task.WhenAny(found.Task, _outputClosed.Task).WaitAsync(timeout, cancellationToken);
            if (found.Task.IsCompleted)
            {
                return await found.Task;
            }

            throw new TimeoutException($"Process {Id} closed stdout without a matching line. {Tail()}");
        }
        catch (TimeoutException ex) when (!_outputClosed.Task.IsCompleted)
        {
            throw new TimeoutException($"No matching stdout line from process {Id} within {timeout.TotalMilliseconds:0} ms. {Tail()}", ex);
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Found == found);
            }
        }
    }

    /// <summary>Waits for the process to exit and all its output to be read; returns the exit code.</summary>
    /// <exception cref="TimeoutException">Still running after <paramref name="timeout"/>: the process is killed, then this is thrown.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.WhenAll(_process.WaitForExitAsync(cancellationToken), _outputClosed.Task, _errorClosed.Task).WaitAsync(timeout, cancellationToken);
            return _process.ExitCode;
        }
        catch (TimeoutException ex)
        {
            Kill();
            throw new TimeoutException($"Process {Id} did not exit within {timeout.TotalMilliseconds:0} ms and was killed. {Tail()}", ex);
        }
    }

    /// <summary>Writes one line to the child's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Asks the process to stop, as a service manager does (SIGTERM, through <c>kill</c>); does nothing if it already exited.</summary>
    /// <exception cref="PlatformNotSupportedException">On Windows, which has no SIGTERM.</exception>
    public async Task TerminateAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("SIGTERM is a Unix signal.");
        }

        if (!_process.HasExited)
        {
            ChildProcessResult sent = await RunAsync("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
            if (sent.ExitCode != 0 && !_process.HasExited)
            {
                throw new InvalidOperationException($"kill -TERM {Id} failed with exit code {sent.ExitCode}: {sent.StandardError}");
            }
        }
    }

    /// <summary>Kills the process and its descendants at once (SIGKILL on Linux); does nothing if it already exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing to kill.
        }
    }

    /// <summary>Kills the process if it is still running and waits (bounded) for it to be reaped.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(DisposeWait);
        }
        catch (TimeoutException)
        {
            // A process that survives SIGKILL for 10 s is stuck in the kernel; nothing more a test can do.
        }

        _process.Dispose();
    }

    private static string DotnetHostPath()
    {
        // The SDK sets DOTNET_HOST_PATH for dotnet test; otherwise derive the muxer from the running runtime
        // (…/dotnet/shared/Microsoft.NETCore.App/<version>/), and fall back to PATH.
        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    private void OnLine(string? line, List<string> lines, TaskCompletionSource closed, bool matchWaiters)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_lock)
        {
            lines.Add(line);
            if (matchWaiters)
            {
                foreach (var (match, found) in _waiters)
                {
                    if (match(line))
                    {
                        found.TrySetResult(line);
                    }
                }
            }
        }
    }

    private List<string> Snapshot(List<string> lines)
    {
        lock (_lock)
        {
            return [.. lines];
        }
    }

    private string Tail()
    {
        lock (_lock)
        {
            return $"Last stdout: [{string.Join(" | ", _output.TakeLast(10))}] Last stderr: [{string.Join(" | ", _error.TakeLast(10))}]";
        }
    }
}
