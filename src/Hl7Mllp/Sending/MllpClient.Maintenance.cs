namespace Hl7Mllp.Sending;

public sealed partial class MllpClient
{
    private readonly Lock _maintenanceLock = new();
    private ITimer? _maintenanceTimer;
    private Task _maintenance = Task.CompletedTask;

    private bool MaintenanceEnabled => _persistent && (_idleReset > TimeSpan.Zero || _heartbeatInterval > TimeSpan.Zero);

    /// <summary>Arms the idle check for a new connection: due at the first of heartbeat and inactivity reset.</summary>
    private void ScheduleMaintenance() => ScheduleMaintenance(NextMaintenanceDelay(TimeSpan.Zero));

    private void ScheduleMaintenance(TimeSpan due)
    {
        if (!MaintenanceEnabled || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_maintenanceLock)
        {
            _maintenanceTimer ??= _timeProvider.CreateTimer(static state => ((MllpClient)state!).OnMaintenanceDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _maintenanceTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan NextMaintenanceDelay(TimeSpan idle)
    {
        var next = TimeSpan.MaxValue;
        if (_heartbeatInterval > TimeSpan.Zero)
        {
            next = _heartbeatInterval - idle;
        }

        if (_idleReset > TimeSpan.Zero && _idleReset - idle < next)
        {
            next = _idleReset - idle;
        }

        return next < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : next;
    }

    private void OnMaintenanceDue()
    {
        lock (_maintenanceLock)
        {
            if (Volatile.Read(ref _disposed) != 0 || !_maintenance.IsCompleted)
            {
                return;
            }

            _maintenance = MaintainAsync();
        }
    }

    /// <summary>
    /// On an idle persistent connection: close it after <see cref="MllpClientOptions.IdleReset"/>, or send the
    /// heartbeat after its interval. A send in progress counts as activity, so a busy client is left alone.
    /// </summary>
    private async Task MaintainAsync()
    {
        if (!await _sendLock.WaitAsync(0).ConfigureAwait(false))
        {
            ScheduleMaintenance(NextMaintenanceDelay(TimeSpan.Zero));
            return;
        }

        try
        {
            var connection = _connection;
            if (connection is null || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            var idle = _timeProvider.GetElapsedTime(connection.LastActivity);
            if (_idleReset > TimeSpan.Zero && idle >= _idleReset)
            {
                Log.IdleReset(_logger, _endPoint, idle.TotalMilliseconds);
                await CloseConnectionAsync("inactivity reset", error: null).ConfigureAwait(false);
                return;
            }

            if (_heartbeatInterval > TimeSpan.Zero && idle >= _heartbeatInterval)
            {
                await HeartbeatAsync().ConfigureAwait(false);
                idle = TimeSpan.Zero;
            }

            ScheduleMaintenance(NextMaintenanceDelay(idle));
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends the heartbeat and checks its ACK; on any failure renews the connection. Never throws, never reaches send results.</summary>
    private async Task HeartbeatAsync()
    {
        string? failure;
        // A fresh MSH-10 every time: a receiver that tracks duplicates rejects a repeated control ID (review finding 1).
        var message = _heartbeat!.Next(out string controlId);
        try
        {
            var result = await SendAttemptAsync(message, controlId, heartbeat: true, CancellationToken.None).ConfigureAwait(false);
            failure = result.IsAccepted ? null : $"{result.Status} {result.AckCode} {result.ProtocolErrorReason}".TrimEnd();
        }
        catch (Exception exception) when (exception is MllpException or OperationCanceledException or ObjectDisposedException)
        {
            failure = exception.Message;
        }

        if (failure is null)
        {
            return;
        }

        Log.HeartbeatFailed(_logger, _endPoint, failure);
        Raise(MllpClientEventKind.HeartbeatFailed, controlId, null, null, failure);
        await CloseConnectionAsync("heartbeat failed", failure).ConfigureAwait(false);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            // Renew at once, one attempt: a failure here is logged, and the next send reconnects through the pipeline.
            await ConnectOnceAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (MllpConnectionException)
        {
        }
    }

    private void StopMaintenance()
    {
        lock (_maintenanceLock)
        {
            _maintenanceTimer?.Dispose();
            _maintenanceTimer = null;
        }
    }

    private async ValueTask WaitForMaintenanceAsync()
    {
        Task maintenance;
        lock (_maintenanceLock)
        {
            maintenance = _maintenance;
        }

        await maintenance.ConfigureAwait(false);
    }
}
