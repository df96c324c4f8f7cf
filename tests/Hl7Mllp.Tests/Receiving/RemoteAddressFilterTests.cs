using System.Net;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Tests.Receiving;

public sealed class RemoteAddressFilterTests
{
    [Fact]
    public void IsAllowed_EmptyList_AllowsEveryone()
    {
        var filter = new RemoteAddressFilter([]);

        filter.AllowsEveryone.Should().BeTrue();
        filter.IsAllowed(IPAddress.Parse("203.0.113.9")).Should().BeTrue();
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("192.0.2.7", true)]
    [InlineData("192.0.2.8", false)]
    [InlineData("::ffff:10.9.9.9", true)]
    [InlineData("::ffff:11.9.9.9", false)]
    [InlineData("2001:db8::42", true)]
    [InlineData("2001:db9::1", false)]
    [InlineData("::1", true)]
    public void IsAllowed_AddressesAndRanges_MatchAsConfigured(string address, bool allowed)
    {
        var filter = new RemoteAddressFilter(["10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "::1"]);

        filter.IsAllowed(IPAddress.Parse(address)).Should().Be(allowed);
    }

    [Fact]
    public void IsAllowed_UnknownAddressWithAList_IsRefused()
    {
        new RemoteAddressFilter(["127.0.0.1"]).IsAllowed(null).Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(null)]
    [InlineData("localhost")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/8/8")]
    public void TryParse_NotAnAddressOrRange_Fails(string? entry)
    {
        RemoteAddressFilter.TryParse(entry, out _).Should().BeFalse();
    }
}
