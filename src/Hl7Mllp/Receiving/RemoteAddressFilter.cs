using System.Net;
using System.Net.Sockets;

namespace Hl7Mllp.Receiving;

/// <summary>The IP allow-list of a listener: single addresses and CIDR ranges; empty allows everyone.</summary>
internal sealed class RemoteAddressFilter
{
    private readonly IPNetwork[] _networks;

    public RemoteAddressFilter(IEnumerable<string> entries)
    {
        _networks = [.. entries.Select(entry => TryParse(entry, out var network) ? network : throw new ArgumentException($"\"{entry}\" is not an IP address or CIDR range."))];
    }

    public bool AllowsEveryone => _networks.Length == 0;

    public static bool TryParse(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        entry = entry.Trim();
        if (entry.Contains('/'))
        {
            return IPNetwork.TryParse(entry, out network);
        }

        if (!IPAddress.TryParse(entry, out var address))
        {
            return false;
        }

        address = Normalize(address);
        network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    public bool IsAllowed(IPAddress? address)
    {
        if (_networks.Length == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; the allow-list is written in plain IPv4.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
