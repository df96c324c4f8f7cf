using System.Buffers;
using System.Net.Sockets;
using Hl7Mllp.Acks;
using Hl7Mllp.Framing;

namespace Hl7Mllp.Receiving;

/// <summary>A frame over the size limit (RELIABILITY A1, F22): answered with a negative ACK when its MSH can be read, then closed.</summary>
internal sealed partial class MllpListenerConnection
{
    /// <summary>
    /// Counts and logs the oversize frame like any framing error, then sends the <see cref="OversizeFrameReply"/> NAK
    /// when the frame's copied prefix allows one, within the write deadline. Nothing past the limit was buffered: the
    /// answer is built from the prefix (at most 1 KiB) alone. The connection closes either way.
    /// </summary>
    private async ValueTask<MllpConnectionCloseReason> OnFrameTooLargeAsync(MllpFrameTooLargeException exception)
    {
        var reason = OnFramingError(exception);
        var ackBuilder = (_listener.Handler as ReceivePipeline)?.AckBuilder ?? new AckBuilder(null, _timeProvider);
        var reply = new ArrayBufferWriter<byte>(256);
        if (OversizeFrameReply.TryWrite(exception.Prefix.Span, exception.MaxFrameBytes, ackBuilder, reply, out bool headerFound) is not { } code)
        {
            Log.OversizeFrameNotAnswered(Logger, Options.Name, Id, exception.MaxFrameBytes, !headerFound
                ? "no complete MSH segment at the start of the frame"
                : "MSH-15 asks for no accept ACK on failure");
            return reason;
        }

        try
        {
            await SendAsync(reply.WrittenMemory).ConfigureAwait(false);
            Log.OversizeFrameAnswered(Logger, Options.Name, Id, exception.MaxFrameBytes, code);
        }
        catch (Exception sendFailure) when (sendFailure is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or did not read within the write deadline: the connection closes as it would have anyway.
            Log.OversizeFrameNotAnswered(Logger, Options.Name, Id, exception.MaxFrameBytes, $"sending the {code} failed: {sendFailure.GetType().Name}");
        }

        return reason;
    }
}
