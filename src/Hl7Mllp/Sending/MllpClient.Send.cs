using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Framing;
using Hl7Mllp.Messages;
using Microsoft.Extensions.Logging;
using Polly;

namespace Hl7Mllp.Sending;

public sealed partial class MllpClient
{
    /// <summary>
    /// Sends one message and waits for its ACK. Connects first when needed (through the retry pipeline); queues
    /// behind other callers' sends, in order.
    /// </summary>
    /// <param name="message">The HL7 message bytes (segments separated by CR, no MLLP framing), sent exactly as given. It must carry an MSH-10.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait, the connect, the write or the ACK read. Canceled while the message or its ACK is in flight,
    /// the connection is closed and the receiver may or may not have the message.
    /// </param>
    /// <returns>
    /// The ACK outcome: <see cref="MllpSendStatus.Accepted"/> only for a positive ACK whose MSA-2 is the MSH-10 sent;
    /// <see cref="MllpSendStatus.ApplicationError"/> or <see cref="MllpSendStatus.Rejected"/> for a negative one; or
    /// <see cref="MllpSendStatus.ProtocolError"/> when the reply was no matching ACK (the connection was closed).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not an HL7 message, has no MSH-10, or contains an MLLP block byte (0x0B, 0x1C).</exception>
    /// <exception cref="MllpAckTimeoutException">No ACK within <see cref="MllpClientOptions.AckTimeout"/> (after the retries the pipeline allows); the connection was closed.</exception>
    /// <exception cref="MllpConnectionException">No connection could be made, or it broke before the ACK (after the retries the pipeline allows).</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string controlId = ReadControlId(message, nameof(message));
        return SendOneAsync(message, controlId, cancellationToken);
    }

    /// <summary>Sends one parsed message and waits for its ACK; see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    /// <param name="message">The message; its <see cref="Hl7Message.Bytes"/> are sent as they are.</param>
    /// <param name="cancellationToken">Cancels the send; see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
    /// <returns>The ACK outcome.</returns>
    /// <exception cref="ArgumentException">The message has no MSH-10, or contains an MLLP block byte.</exception>
    /// <exception cref="MllpAckTimeoutException">No ACK in time; the connection was closed.</exception>
    /// <exception cref="MllpConnectionException">No connection, or it broke before the ACK.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<MllpSendResult> SendAsync(Hl7Message message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string controlId = message.ControlId;
        if (controlId.Length == 0)
        {
            throw new ArgumentException("The message has no MSH-10 (control ID): its ACK could never be matched.", nameof(message));
        }

        return SendOneAsync(message.Bytes, controlId, cancellationToken);
    }

    /// <summary>
    /// Sends one message given as text, encoded per <see cref="MllpClientOptions.Encoding"/>; LF and CRLF segment
    /// ends are sent as CR. See <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.
    /// </summary>
    /// <param name="message">The HL7 message text.</param>
    /// <param name="cancellationToken">Cancels the send; see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
    /// <returns>The ACK outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The text is not an HL7 message, has no MSH-10, or contains an MLLP block character.</exception>
    /// <exception cref="MllpAckTimeoutException">No ACK in time; the connection was closed.</exception>
    /// <exception cref="MllpConnectionException">No connection, or it broke before the ACK.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<MllpSendResult> SendAsync(string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(EncodeText(message), cancellationToken);
    }

    /// <summary>
    /// Sends several messages in order over one connection and stops at the first that is not accepted. With
    /// <see cref="MllpClientOptions.PersistentConnection"/> off this is the "connection per batch": connect, send
    /// them all, disconnect. No other caller's message is sent in between.
    /// </summary>
    /// <param name="messages">The messages, each as for <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels the batch; see <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
    /// <returns>One result per message sent, in order; shorter than <paramref name="messages"/> when one was not accepted (it is the last).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A message is not an HL7 message or has no MSH-10 (checked before anything is sent).</exception>
    /// <exception cref="MllpAckTimeoutException">No ACK in time for a message; the messages before it were accepted.</exception>
    /// <exception cref="MllpConnectionException">No connection, or it broke before an ACK; the messages before it were accepted.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async ValueTask<IReadOnlyList<MllpSendResult>> SendBatchAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var controlIds = new string[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            controlIds[i] = ReadControlId(messages[i], nameof(messages));
        }

        var results = new List<MllpSendResult>(messages.Count);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                var result = await SendLockedAsync(messages[i], controlIds[i], cancellationToken).ConfigureAwait(false);
                results.Add(result);
                if (!result.IsAccepted)
                {
                    break;
                }
            }

            return results;
        }
        finally
        {
            await ReleaseAfterSendAsync().ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpSendResult> SendOneAsync(ReadOnlyMemory<byte> message, string controlId, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SendLockedAsync(message, controlId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAfterSendAsync().ConfigureAwait(false);
        }
    }

    private ValueTask ReleaseAfterSendAsync()
    {
        if (_persistent || _holdingConnection || _connection is null)
        {
            _sendLock.Release();
            return ValueTask.CompletedTask;
        }

        return CloseAndReleaseAsync();
    }

    private async ValueTask CloseAndReleaseAsync()
    {
        try
        {
            await CloseConnectionAsync("connection per send or batch", error: null).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Runs the send attempts through the retry pipeline and reports the final outcome. Caller holds the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpSendResult> SendLockedAsync(ReadOnlyMemory<byte> message, string controlId, CancellationToken cancellationToken)
    {
        using var activity = MllpClientMetrics.StartSend(_host, _port);
        activity?.SetTag("hl7.control_id", controlId);
        try
        {
            MllpSendResult result;
            try
            {
                result = await SendAttemptAsync(message, controlId, heartbeat: false, cancellationToken).ConfigureAwait(false);
            }
            catch (MllpException exception) when (!ReferenceEquals(_retry, ResiliencePipeline.Empty))
            {
                // The first attempt runs outside the pipeline so that the common case pays nothing for it; a failure is
                // handed to the pipeline as its first outcome, which then decides on retries exactly as if it had run it.
                var retry = new RetryState(this, message, controlId, exception);
                result = await _retry.ExecuteAsync(static (state, token) => state.NextAttemptAsync(token), retry, cancellationToken).ConfigureAwait(false);
            }

            if (activity is not null)
            {
                activity.SetTag("hl7.ack_code", result.AckCode);
                activity.SetTag("hl7.send_status", result.Status.ToString());
                if (!result.IsAccepted)
                {
                    activity.SetStatus(ActivityStatusCode.Error, result.Status.ToString());
                }
            }

            return result;
        }
        catch (Exception exception) when (exception is MllpException or OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            var status = exception is MllpAckTimeoutException ? MllpSendStatus.Timeout : MllpSendStatus.TransportError;
            Raise(MllpClientEventKind.SendFailed, controlId, status, null, exception.Message);
            throw;
        }
    }

    /// <summary>
    /// One attempt: connect when needed, write the frame, await one ACK frame under the ACK timeout, evaluate it. A
    /// send that skipped the liveness probe and found the connection closed before any byte of its ACK renews it and
    /// sends again, once, at once: what the probe would have done (C5), so it is no failed attempt.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpSendResult> SendAttemptAsync(ReadOnlyMemory<byte> message, string controlId, bool heartbeat, CancellationToken cancellationToken)
    {
        var connection = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (!heartbeat)
        {
            Raise(MllpClientEventKind.Sending, controlId, null, null, null);
        }

        var result = await ExchangeAsync(connection, message, controlId, heartbeat, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            // A fresh connection never skips the probe, so the second exchange returns a result or throws.
            connection = await RenewAsync(connection, cancellationToken).ConfigureAwait(false);
            result = await ExchangeAsync(connection, message, controlId, heartbeat, cancellationToken).ConfigureAwait(false);
        }

        return result!;
    }

    /// <summary>
    /// Writes the frame and reads its ACK. <see langword="null"/> when the connection skipped the liveness probe and
    /// broke (end of stream, reset, failed write) before any byte of the ACK: the caller renews it and sends again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpSendResult?> ExchangeAsync(MllpClientConnection connection, ReadOnlyMemory<byte> message, string controlId, bool heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            MllpFrame.Write(connection.Output, message.Span);
            if (_debugLogging && _wireLogger.IsEnabled(LogLevel.Debug))
            {
                Log.WireSent(_wireLogger, message.Length + MllpFrame.Overhead, _endPoint, WireText(new ReadOnlySequence<byte>(message)));
            }

            var flush = await connection.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new IOException("The connection's output was closed.");
            }
        }
        catch (Exception exception) when ((exception is IOException or SocketException) && connection.NothingReceivedSinceSkippedProbe)
        {
            return null;
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw await ConnectionLostAsync(controlId, "write failed: " + exception.Message, exception).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await CloseConnectionAsync("send canceled by the caller", "canceled").ConfigureAwait(false);
            throw;
        }

        connection.Used = true;
        MllpClientMetrics.RecordSent(_host);
        if (_lowLatencyAckWaitMicroseconds > 0 && connection.IsTls)
        {
            // Plain TCP waits inside MllpLowLatencyStream's read; TLS waits here, before SslStream reads.
            connection.WaitReadable(_lowLatencyAckWaitMicroseconds);
        }

        long written = _timeProvider.GetTimestamp();
        var token = connection.StartAckTimeout(_ackTimeout);
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((MllpClientConnection)state!).CancelAck(), connection)
            : default;
        MllpSendResult result;
        try
        {
            var read = await connection.Frames.ReadAsync(token).ConfigureAwait(false);
            if (!read.HasFrame)
            {
                if (connection.NothingReceivedSinceSkippedProbe)
                {
                    return null;
                }

                throw await ConnectionLostAsync(controlId, "the receiver closed the connection before the ACK", null).ConfigureAwait(false);
            }

            var payload = read.Frame.Payload;
            if (_debugLogging && _wireLogger.IsEnabled(LogLevel.Debug))
            {
                Log.WireReceived(_wireLogger, payload.Length + MllpFrame.Overhead, _endPoint, WireText(payload));
            }

            result = read.Frame.Kind == MllpFrameKind.Message
                ? EvaluateAck(controlId, payload)
                : ProtocolError(controlId, "The reply is an MLLP Release 2 commit acknowledgement block, not an HL7 ACK.", null);
            connection.Frames.Advance();
            CheckForStrayBytes(connection);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw await AckTimedOutAsync(controlId, heartbeat).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await CloseConnectionAsync("ACK wait canceled by the caller", "canceled").ConfigureAwait(false);
            throw;
        }
        catch (MllpTruncatedFrameException exception)
        {
            throw await ConnectionLostAsync(controlId, "the receiver closed the connection in the middle of the ACK", exception).ConfigureAwait(false);
        }
        catch (MllpFramingException exception)
        {
            result = ProtocolError(controlId, exception.Message, exception);
        }
        catch (Exception exception) when ((exception is IOException or SocketException) && connection.NothingReceivedSinceSkippedProbe)
        {
            return null;
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw await ConnectionLostAsync(controlId, "read failed: " + exception.Message, exception).ConfigureAwait(false);
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            connection.StopAckTimeout();
        }

        connection.LastActivity = _timeProvider.GetTimestamp();
        if (!heartbeat)
        {
            ReportOutcome(controlId, result, _timeProvider.GetElapsedTime(written, connection.LastActivity));
        }

        if (result.Status == MllpSendStatus.ProtocolError)
        {
            // A reply that is not this message's ACK leaves the stream out of step: a later frame could be taken for
            // the next message's ACK (C2, F2). Only a new connection is safe.
            await CloseConnectionAsync("protocol error", result.ProtocolErrorReason).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The attempts after a failed first one, run by the retry pipeline: the first call replays the first failure.</summary>
    private sealed class RetryState(MllpClient client, ReadOnlyMemory<byte> message, string controlId, Exception firstFailure)
    {
        private bool _replayed;

        public ValueTask<MllpSendResult> NextAttemptAsync(CancellationToken cancellationToken)
        {
            if (!_replayed)
            {
                _replayed = true;
                return ValueTask.FromException<MllpSendResult>(firstFailure);
            }

            return client.SendAttemptAsync(message, controlId, heartbeat: false, cancellationToken);
        }
    }

    private MllpSendResult EvaluateAck(string controlId, in ReadOnlySequence<byte> payload) =>
        _ackCondition.Evaluate(controlId, payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());

    /// <summary>A reply that cannot be read as an ACK at all: framing broken, or an MLLP Release 2 block.</summary>
    private static MllpSendResult ProtocolError(string controlId, string reason, Exception? exception) =>
        new(MllpSendStatus.ProtocolError, controlId, ReadOnlyMemory<byte>.Empty, default, false, string.Empty, string.Empty, [], reason, exception);

    /// <summary>Bytes already buffered after the ACK mean the receiver is out of step: renew before the next send.</summary>
    private void CheckForStrayBytes(MllpClientConnection connection)
    {
        if (!connection.Input.TryRead(out var pending))
        {
            return;
        }

        long length = pending.Buffer.Length;
        connection.Input.AdvanceTo(pending.Buffer.Start, pending.Buffer.Start);
        if (length > 0)
        {
            connection.MustRenew = true;
            Log.StrayBytes(_logger, length, _endPoint);
        }
    }

    private void ReportOutcome(string controlId, MllpSendResult result, TimeSpan roundTrip)
    {
        MllpClientMetrics.RecordAckDuration(_host, roundTrip);
        switch (result.Status)
        {
            case MllpSendStatus.Accepted:
                _throttle.RecordSuccess();
                if (_logger.IsEnabled(LogLevel.Trace))
                {
                    Log.AckReceived(_logger, controlId, _endPoint, result.AckCode, roundTrip.TotalMilliseconds);
                }

                Raise(MllpClientEventKind.AckReceived, controlId, result.Status, result.AckCode, null);
                break;
            case MllpSendStatus.ProtocolError:
                MllpClientMetrics.RecordError(_host, "protocol");
                Log.ProtocolError(_logger, ErrorLevel(), controlId, _endPoint, result.ProtocolErrorReason);
                Raise(MllpClientEventKind.SendFailed, controlId, result.Status, result.AckCode, result.ProtocolErrorReason);
                break;
            default:
                // A NAK is a delivery: the receiver answered. It does not reset or feed the error-log throttle.
                MllpClientMetrics.RecordNak(_host, result.AckCode);
                Log.NakReceived(_logger, controlId, _endPoint, result.AckCode, result.Status);
                Raise(MllpClientEventKind.NakReceived, controlId, result.Status, result.AckCode, result.AckText);
                break;
        }
    }

    private async ValueTask<MllpAckTimeoutException> AckTimedOutAsync(string controlId, bool heartbeat)
    {
        // Close first: a late ACK must never be read as the next message's (C1, F2).
        await CloseConnectionAsync("ACK timeout", "ACK timeout").ConfigureAwait(false);
        MllpClientMetrics.RecordTimeout(_host);
        if (!heartbeat)
        {
            MllpClientMetrics.RecordError(_host, "timeout");
            Log.AckTimeout(_logger, ErrorLevel(), controlId, _endPoint, _ackTimeout.TotalMilliseconds);
        }

        return new MllpAckTimeoutException(controlId, _endPoint, _ackTimeout);
    }

    private async ValueTask<MllpConnectionException> ConnectionLostAsync(string controlId, string reason, Exception? exception)
    {
        await CloseConnectionAsync("connection lost", reason).ConfigureAwait(false);
        MllpClientMetrics.RecordError(_host, "transport");
        Log.ConnectionLost(_logger, ErrorLevel(), _endPoint, controlId, reason);
        return new MllpConnectionException($"The connection to {_endPoint} broke while sending message {controlId}: {reason}.", _endPoint, null, exception);
    }

    private LogLevel ErrorLevel() => _throttle.RecordFailure() ? LogLevel.Error : LogLevel.Debug;

    /// <summary>Reads MSH-10 from the message to send; a message without one is refused before anything is sent.</summary>
    private static string ReadControlId(ReadOnlyMemory<byte> message, string parameterName)
    {
        if (TryReadPlainControlId(message.Span, out string? plain))
        {
            return plain;
        }

        if (!Hl7Message.TryParse(message, out var parsed, out var error))
        {
            throw new ArgumentException($"The message is not an HL7 v2 message: {error}.", parameterName);
        }

        string controlId = parsed.ControlId;
        if (controlId.Length == 0)
        {
            throw new ArgumentException("The message has no MSH-10 (control ID): its ACK could never be matched.", parameterName);
        }

        return controlId;
    }

    /// <summary>
    /// The fast path for the usual case: MSH-10 read from the first segment only, when it is plain ASCII without
    /// escapes. Anything else (escapes, non-ASCII, no MSH-10) goes through the full parser.
    /// </summary>
    private static bool TryReadPlainControlId(ReadOnlySpan<byte> message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? controlId)
    {
        controlId = null;
        if (!MshHeaderFields.TryLocate(message, 2, out int encodingStart, out int encodingLength) || encodingLength < 3
            || !MshHeaderFields.TryLocate(message, 10, out int start, out int length) || length == 0)
        {
            return false;
        }

        var value = message.Slice(start, length);
        byte escape = message[encodingStart + 2];
        if (value.Contains(escape) || !System.Text.Ascii.IsValid(value))
        {
            return false;
        }

        controlId = Encoding.ASCII.GetString(value);
        return true;
    }

    private byte[] EncodeText(string text)
    {
        string normalized = text.Contains('\n', StringComparison.Ordinal)
            ? text.Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r')
            : text;
        var encoding = _encoding switch
        {
            MllpClientEncoding.Ascii => Encoding.ASCII,
            MllpClientEncoding.Latin1 => Encoding.Latin1,
            MllpClientEncoding.Utf8 => Encoding.UTF8,
            _ => CharacterSetOf(normalized) ?? Encoding.UTF8,
        };
        return encoding.GetBytes(normalized);
    }

    /// <summary>The encoding MSH-18 names, read from the text's first segment.</summary>
    private static Encoding? CharacterSetOf(string text)
    {
        if (text.Length < 8 || !text.StartsWith("MSH", StringComparison.Ordinal))
        {
            return null;
        }

        char fieldSeparator = text[3];
        char componentSeparator = text[4];
        int end = text.IndexOf('\r', StringComparison.Ordinal);
        ReadOnlySpan<char> header = end < 0 ? text : text.AsSpan(0, end);
        // The value between the separator at 'start' and the next one is field number 'field' (MSH-2 first).
        int field = 2;
        int start = 3;
        for (int i = 4; i <= header.Length; i++)
        {
            if (i == header.Length || header[i] == fieldSeparator)
            {
                if (field == 18)
                {
                    var value = header[(start + 1)..i];
                    int component = value.IndexOf(componentSeparator);
                    var name = component < 0 ? value : value[..component];
                    return Hl7CharacterSets.TryGetEncoding(name, out var encoding) ? encoding : null;
                }

                field++;
                start = i;
            }
        }

        return null;
    }

    /// <summary>Printable text of wire bytes for the debug log: control characters as &lt;CR&gt;, &lt;VT&gt;, &lt;FS&gt; or &lt;xx&gt;.</summary>
    private static string WireText(in ReadOnlySequence<byte> bytes)
    {
        var builder = new StringBuilder((int)Math.Min(bytes.Length + 16, 1 << 20));
        foreach (var segment in bytes)
        {
            foreach (byte b in segment.Span)
            {
                _ = b switch
                {
                    0x0D => builder.Append("<CR>"),
                    0x0A => builder.Append("<LF>"),
                    0x0B => builder.Append("<VT>"),
                    0x1C => builder.Append("<FS>"),
                    < 0x20 or 0x7F => builder.Append('<').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)).Append('>'),
                    _ => builder.Append((char)b),
                };
            }
        }

        return builder.ToString();
    }
}
