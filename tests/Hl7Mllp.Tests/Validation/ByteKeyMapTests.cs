using System.Text;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

public class ByteKeyMapTests
{
    private static readonly string[] Keys = ["A", "AB", "ABC", "ABCD", "ABCDEFG", "ABCDEFGH", "ABCDEFGHI", "UNICODE UTF-8", "ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNOP", "\u00e9t\u00e9", ""];

    [Fact]
    public void TryGetValue_EveryPackableKey_FoundWithItsValue()
    {
        var map = new ByteKeyMap<string>(Keys.Select(k => KeyValuePair.Create(k, k)));

        foreach (var key in Keys.Where(k => k.Length <= ByteKey.MaxLength && Ascii.IsValid(k)))
        {
            map.TryGetValue(Encoding.ASCII.GetBytes(key), out var value).Should().BeTrue(key);
            value.Should().Be(key);
        }

        map.AllKeysPacked.Should().BeFalse("a 16-byte and a non-ASCII key do not pack");
    }

    [Theory]
    [InlineData("AB\0")]
    [InlineData("A\0")]
    [InlineData("ABCDEFGH\0")]
    [InlineData("ABCDEFGHIJKLMN")]
    [InlineData("BCDEFGHIJKLMNO")]
    [InlineData("UNICODE UTF-16")]
    [InlineData("a")]
    [InlineData("ABCDEFGHIJKLMNOP")]
    public void TryGetValue_PrefixesTrailingNulsAndNearMisses_NotFound(string key)
    {
        var map = new ByteKeyMap<string>(Keys.Select(k => KeyValuePair.Create(k, k)));

        map.TryGetValue(Encoding.ASCII.GetBytes(key), out _).Should().BeFalse();
    }

    [Fact]
    public void TryPack_EveryLength_DistinctKeysAndLengthLimit()
    {
        var packed = new HashSet<UInt128>();
        for (var length = 0; length <= ByteKey.MaxLength; length++)
        {
            ByteKey.TryPack(Encoding.ASCII.GetBytes(new string('7', length)), out var key).Should().BeTrue();
            packed.Add(key).Should().BeTrue($"length {length} packs to its own key");
        }

        ByteKey.TryPack(new byte[ByteKey.MaxLength + 1], out _).Should().BeFalse();
        ByteKey.TryPack([(byte)'A', 0xC3, 0xA9], out _).Should().BeFalse();
    }
}
