using System.Net;
using System.Net.Sockets;

namespace Hl7Mllp.Testing.Network;

/// <summary>Two connected blocking TCP sockets on 127.0.0.1: a client and the server side that accepted it.</summary>
public sealed class LoopbackSocketPair : IDisposable
{
    /// <summary>Connects a new client socket to a one-shot loopback listener and accepts it.</summary>
    public LoopbackSocketPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Client.Connect(listener.LocalEndPoint!);
        Server = listener.Accept();
    }

    /// <summary>Gets the connecting side.</summary>
    public Socket Client { get; }

    /// <summary>Gets the accepted side.</summary>
    public Socket Server { get; }

    /// <summary>Closes both sockets.</summary>
    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
