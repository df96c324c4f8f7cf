using System.Net;
using System.Net.Sockets;

namespace Hl7Mllp.Testing.Network;

/// <summary>Finds a TCP port on 127.0.0.1 that is free right now, for programs that cannot bind port 0 themselves.</summary>
public static class FreePort
{
    /// <summary>Binds 127.0.0.1:0, reads the port the OS chose and releases it. Another process may take it before you do: retry on conflict.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
