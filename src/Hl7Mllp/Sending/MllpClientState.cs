namespace Hl7Mllp.Sending;

/// <summary>The state of an <see cref="MllpClient"/>'s connection.</summary>
public enum MllpClientState
{
    /// <summary>No connection is open.</summary>
    Disconnected = 0,

    /// <summary>A connection attempt is under way.</summary>
    Connecting = 1,

    /// <summary>A connection is open.</summary>
    Connected = 2,
}
