using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Hl7Mllp.Testing.Network;

/// <summary>One proxied connection: a read loop per direction applies content faults, a write loop applies timing faults.</summary>
internal sealed class FaultProxyConnection(Socket client, FaultProxy proxy)
{
    private readonly Socket _server = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CancellationTokenSource _aborting = new();
    private int _aborted;
    private volatile bool _closing;
    private volatile bool _finSent;

    private enum ChunkKind
    {
        Data,
        Reset,
        Close,
        End,
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        client.NoDelay = true;
        using var abortOnStop = cancellationToken.Register(Abort);
        try
        {
            await _server.ConnectAsync(proxy.Target, _aborting.Token);
            await Task.WhenAll(
                PumpAsync(client, _server, proxy.ClientToServer, _aborting.Token),
                PumpAsync(_server, client, proxy.ServerToClient, _aborting.Token));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Abort();
        }
        finally
        {
            client.Dispose();
            _server.Dispose();
        }
    }

    /// <summary>Resets both sockets (linger 0 then close sends RST); idempotent.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        // Linger 0 on both sockets before anything else: once the loops are cancelled they may close their socket
        // themselves, and a close before the linger is set is a FIN, not the RST this fault promises.
        foreach (var socket in new[] { client, _server })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Not connected yet or already closed: disposing is enough.
            }
        }

        // Cancelling unblocks a read loop waiting on a full channel whose write loop has ended.
        _aborting.Cancel();
        foreach (var socket in new[] { client, _server })
        {
            socket.Dispose();
        }
    }

    private static List<byte[]> Slice(byte[] data, long from, long to) =>
        to <= from ? [] : [data[(int)from..(int)to]];

    private async Task PumpAsync(Socket from, Socket to, FaultProxyDirection direction, CancellationToken cancellationToken)
    {
        // Bounded: a slow receiver slows the reader instead of growing memory.
        var chunks = Channel.CreateBounded<(ChunkKind Kind, byte[] Data, ProxyFault Fault, long ReadAt)>(
            new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var writer = WriteLoopAsync(to, direction, chunks.Reader, cancellationToken);
        try
        {
            await ReadLoopAsync(from, direction, chunks.Writer, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            Abort();
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        await writer;
    }

    private async Task ReadLoopAsync(Socket from, FaultProxyDirection direction, ChannelWriter<(ChunkKind, byte[], ProxyFault, long)> output, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var frames = new MllpFrameBuffer();
        long position = 0;
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, cancellationToken);
            var fault = direction.Fault;
            var readAt = Stopwatch.GetTimestamp();
            if (read == 0 || fault.Kind is not (ProxyFaultKind.DuplicateFrames or ProxyFaultKind.SwapFrames))
            {
                // Leaving a frame fault (or the stream ending) releases what it was holding, in order.
                foreach (var held in frames.Flush())
                {
                    await output.WriteAsync((ChunkKind.Data, held, ProxyFault.PassThrough, readAt), cancellationToken);
                }
            }

            if (read == 0)
            {
                await output.WriteAsync((ChunkKind.End, [], fault, readAt), cancellationToken);
                return;
            }

            direction.AddRead(read);
            var data = buffer[..read];
            var start = position;
            position += read;
            if (_closing)
            {
                continue; // Past a FIN cut: read and discard, so closing does not turn into RST.
            }

            if (fault.Kind == ProxyFaultKind.Corrupt && fault.Count >= start && fault.Count < position)
            {
                data[fault.Count - start] ^= fault.Mask;
            }

            var (forward, then) = fault.Kind switch
            {
                ProxyFaultKind.Drop => ([], ChunkKind.Data),
                ProxyFaultKind.DuplicateFrames or ProxyFaultKind.SwapFrames => (frames.Append(data, fault.Kind), ChunkKind.Data),
                ProxyFaultKind.ResetAfter when position >= fault.Count => (Slice(data, 0, fault.Count - start), ChunkKind.Reset),
                ProxyFaultKind.CloseAfter when position >= fault.Count => (Slice(data, 0, fault.Count - start), ChunkKind.Close),
                _ => ([data], ChunkKind.Data),
            };
            foreach (var chunk in forward)
            {
                await output.WriteAsync((ChunkKind.Data, chunk, fault, readAt), cancellationToken);
            }

            if (then != ChunkKind.Data)
            {
                // After a FIN cut both readers discard: nothing read past the cut point is forwarded.
                _closing |= then == ChunkKind.Close;
                await output.WriteAsync((then, [], fault, readAt), cancellationToken);
                if (then == ChunkKind.Reset)
                {
                    return;
                }
            }
        }
    }

    private async Task WriteLoopAsync(Socket to, FaultProxyDirection direction, ChannelReader<(ChunkKind Kind, byte[] Data, ProxyFault Fault, long ReadAt)> input, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (kind, data, fault, readAt) in input.ReadAllAsync(cancellationToken))
            {
                switch (kind)
                {
                    case ChunkKind.Reset:
                        Abort();
                        return;
                    case ChunkKind.Close:
                        _finSent = true;
                        ShutdownSend(client);
                        ShutdownSend(_server);
                        continue;
                    case ChunkKind.End:
                        ShutdownSend(to);
                        return;
                    case ChunkKind.Data when _finSent:
                        continue; // The other direction's leftovers cannot follow a FIN.
                }

                if (fault.Kind == ProxyFaultKind.Latency)
                {
                    var due = fault.Delay - Stopwatch.GetElapsedTime(readAt);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }
                }
                else if (fault.Kind == ProxyFaultKind.DelayEachWrite)
                {
                    await Task.Delay(fault.Delay, cancellationToken);
                }

                var chunkSize = fault.Kind == ProxyFaultKind.Split ? (int)fault.Count : data.Length;
                for (var offset = 0; offset < data.Length; offset += chunkSize)
                {
                    var piece = data.AsMemory(offset, Math.Min(chunkSize, data.Length - offset));
                    await SendAllAsync(to, piece, cancellationToken);
                    direction.AddForwarded(piece.Length);
                    if (fault.Kind == ProxyFaultKind.Split && fault.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(fault.Delay, cancellationToken);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_finSent)
            {
                Abort(); // A send racing the FIN fails harmlessly; anything else resets both sides.
            }
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, cancellationToken)..];
        }
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer is already gone; nothing left to tell it.
        }
    }
}
