using System.Net.Sockets;

namespace Hl7Mllp.Sending;

/// <summary>
/// The plain-TCP stream of a client in low-latency mode (<see cref="MllpClientOptions.LowLatencyAckWait"/>): a read
/// first waits up to the configured time in a blocking <c>poll</c> and then receives synchronously, so that an ACK
/// arriving within that time costs no thread hop and no event-loop wake-up. A slower ACK is awaited by a pool thread
/// polling in short slices, never by an asynchronous receive: one would register the socket with the runtime's event
/// loop for good, and every later ACK would then wake that loop and a pool thread for nothing.
/// </summary>
internal sealed class MllpLowLatencyStream(Socket socket, int waitMicroseconds) : Stream
{
    private const int SlowPollMicroseconds = 20_000;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // One poll, no FIONREAD first: right after a send the ACK is rarely there yet, and a poll on a readable socket
        // returns at once anyway, so checking Available first costs a system call per message for nothing.
        if (socket.Poll(waitMicroseconds, SelectMode.SelectRead))
        {
            return new ValueTask<int>(socket.Receive(buffer.Span, SocketFlags.None));
        }

        return ReceiveSlowlyAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReceiveSlowlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await Task.Run(
            () =>
            {
                while (!socket.Poll(SlowPollMicroseconds, SelectMode.SelectRead))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            },
            cancellationToken).ConfigureAwait(false);
        return socket.Receive(buffer.Span, SocketFlags.None);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer, offset, count, SocketFlags.None);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int sent = await socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[sent..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => socket.Send(buffer, offset, count, SocketFlags.None);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
