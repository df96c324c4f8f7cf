using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Receiving;

/// <summary>
/// One received message as an <see cref="IMllpMessageHandler"/> sees it: the payload of its MLLP frame, where it
/// came from, and the buffer the handler writes its response (the ACK payload, without MLLP framing) into.
/// </summary>
/// <remarks>
/// The listener keeps one context per connection and reuses it for every message on that connection, so nothing
/// here may be kept after <see cref="IMllpMessageHandler.HandleAsync"/> returns: the payload is a view over the
/// connection's receive buffer. Not thread-safe; a context belongs to one connection's read loop.
/// </remarks>
public sealed class MllpReceiveContext : IDisposable
{
    private readonly ArrayBufferWriter<byte> _response = new(256);
    private byte[]? _contiguous;

    /// <summary>Creates a context for one connection (or for calling a handler without a listener).</summary>
    /// <param name="connectionId">The connection's ID, unique within the process; 0 when there is no connection.</param>
    /// <param name="remoteEndPoint">The peer's endpoint, if any.</param>
    /// <param name="localEndPoint">The local endpoint that accepted the connection, if any.</param>
    /// <param name="listenerName">The listener's name (the seed service's connection name); may be empty.</param>
    /// <param name="clientCertificate">The certificate the peer presented over TLS, if any.</param>
    public MllpReceiveContext(long connectionId = 0, EndPoint? remoteEndPoint = null, EndPoint? localEndPoint = null, string listenerName = "", X509Certificate2? clientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(listenerName);
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ListenerName = listenerName;
        ClientCertificate = clientCertificate;
    }

    /// <summary>Gets the payload of the received frame (the HL7 message bytes); valid only during the handler call.</summary>
    public ReadOnlySequence<byte> Payload { get; private set; }

    /// <summary>Gets when the last byte of the frame arrived.</summary>
    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>Gets the connection's ID, unique within the process (0 when there is no connection).</summary>
    public long ConnectionId { get; }

    /// <summary>Gets the peer's endpoint, or <see langword="null"/>.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Gets the local endpoint that accepted the connection, or <see langword="null"/>.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Gets the listener's name; may be empty.</summary>
    public string ListenerName { get; }

    /// <summary>Gets the certificate the peer presented over TLS, or <see langword="null"/>.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Gets the buffer the handler writes its response payload into (an ACK, without MLLP framing). Leave it empty to send nothing.</summary>
    public IBufferWriter<byte> Response => _response;

    /// <summary>Gets the response written so far.</summary>
    public ReadOnlyMemory<byte> WrittenResponse => _response.WrittenMemory;

    /// <summary>Gets or sets whether the listener closes the connection after sending the response. Default <see langword="false"/>.</summary>
    public bool CloseAfterResponse { get; set; }

    /// <summary>
    /// Gets the payload as one contiguous block of memory, valid only during the handler call. When the frame
    /// arrived in several buffer segments, it is copied once into a buffer this context owns and reuses.
    /// </summary>
    /// <returns>The payload bytes.</returns>
    public ReadOnlyMemory<byte> GetPayloadMemory()
    {
        ReadOnlySequence<byte> payload = Payload;
        if (payload.IsSingleSegment)
        {
            return payload.First;
        }

        int length = checked((int)payload.Length);
        if (_contiguous is null || _contiguous.Length < length)
        {
            if (_contiguous is not null)
            {
                ArrayPool<byte>.Shared.Return(_contiguous);
            }

            _contiguous = ArrayPool<byte>.Shared.Rent(length);
        }

        payload.CopyTo(_contiguous);
        return _contiguous.AsMemory(0, length);
    }

    /// <summary>Prepares the context for the next message: sets the payload and clears the previous response.</summary>
    /// <param name="payload">The frame payload, valid until the handler returns.</param>
    /// <param name="receivedAt">When the frame's last byte arrived.</param>
    public void Reset(ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        Payload = payload;
        ReceivedAt = receivedAt;
        CloseAfterResponse = false;
        _response.ResetWrittenCount();
    }

    /// <summary>Returns the pooled buffer, if one was rented.</summary>
    public void Dispose()
    {
        if (_contiguous is not null)
        {
            ArrayPool<byte>.Shared.Return(_contiguous);
            _contiguous = null;
        }

        Payload = default;
    }
}
