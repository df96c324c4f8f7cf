using System.Runtime.InteropServices;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (a service manager's stop) as a graceful stop: either cancels <see cref="Token"/> and
/// keeps the runtime from ending the process, so the command finishes its own stop (the message in flight, the source's
/// moves, the listener's drain) and disposes what it opened, whatever the host does with the signals.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stopping;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    /// <summary>Starts handling the signals.</summary>
    /// <param name="cancellationToken">The host's own stop, linked into <see cref="Token"/>.</param>
    public StopSignals(CancellationToken cancellationToken)
    {
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    /// <summary>Gets the token canceled by a signal or by the host's token.</summary>
    public CancellationToken Token => _stopping.Token;

    /// <summary>Stops handling the signals.</summary>
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stopping.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stopping.Cancel();
    }
}
