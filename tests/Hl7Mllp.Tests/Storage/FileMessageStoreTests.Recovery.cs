using Hl7Mllp.Diagnostics;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Logging;

namespace Hl7Mllp.Tests.Storage;

/// <summary>Recovery when the store opens: temporary files a crash (a power loss after the ACK) left behind.</summary>
public sealed partial class FileMessageStoreTests
{
    private const string Left = "26112513451234500.hl7";

    [Fact]
    public async Task StoreAsync_FirstStoreFindsWholeTempFile_RenamesItToItsFinalName()
    {
        // A power loss after the ACK undid the rename: the data is on disk under a name that proves it whole.
        var bytes = FileStorageTestData.MessageBytes("ACKED");
        var temp = WriteTemp(Left, bytes);
        var logs = new RecordingLoggerFactory();
        await using var store = CreateLoggedStore(logs);

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().Equal(Left, "26112513451234501.hl7");
        (await File.ReadAllBytesAsync(_dir.Combine(Left))).Should().Equal(bytes);
        ControlIdOf(_dir.Combine("26112513451234501.hl7")).Should().Be("NEW", "the new message takes the next name");
        logs.WithEventId(Hl7MllpEventIds.FileStoreTempRecovered).Should().ContainSingle()
            .Which.Message.Should().Contain(temp).And.Contain(Left);
        logs.AssertNoEntryContains("ACKED");
    }

    [Theory]
    [InlineData("shorter")]
    [InlineData("longer")]
    [InlineData("empty")]
    [InlineData("other bytes")]
    public async Task StoreAsync_FirstStoreFindsTornTempFile_DeletesItAndLogsWhy(string damage)
    {
        // Torn by a power loss before its flush finished, so never acknowledged: the length or the hash gives it away.
        var bytes = FileStorageTestData.MessageBytes("TORN");
        var temp = WriteTemp(Left, bytes);
        var content = damage switch
        {
            "shorter" => bytes[..^5],
            "longer" => [.. bytes, 0, 0],
            "empty" => [],
            _ => bytes.Select((b, i) => i == 20 ? (byte)'X' : b).ToArray(),
        };
        await File.WriteAllBytesAsync(_dir.Combine(temp), content);
        var logs = new RecordingLoggerFactory();
        await using var store = CreateLoggedStore(logs);

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().Equal(Left);
        ControlIdOf(_dir.Combine(Left)).Should().Be("NEW", "the torn file took no name");
        var deleted = logs.WithEventId(Hl7MllpEventIds.FileStoreTempDeleted).Should().ContainSingle().Which;
        deleted.Message.Should().Contain(temp).And.Contain(damage == "other bytes" ? "hash" : "bytes");
        logs.AssertNoEntryContains("TORN");
    }

    [Fact]
    public async Task StoreAsync_RecoveredFinalNameTaken_TakesTheNextFreeNameAndOverwritesNothing()
    {
        var existing = FileStorageTestData.MessageBytes("EXISTING");
        await File.WriteAllBytesAsync(_dir.Combine(Left), existing);
        var bytes = FileStorageTestData.MessageBytes("ACKED");
        WriteTemp(Left, bytes);
        var logs = new RecordingLoggerFactory();
        await using var store = CreateLoggedStore(logs);

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().Equal(Left, "26112513451234501.hl7", "26112513451234502.hl7");
        (await File.ReadAllBytesAsync(_dir.Combine(Left))).Should().Equal(existing, "nothing is overwritten");
        (await File.ReadAllBytesAsync(_dir.Combine("26112513451234501.hl7"))).Should().Equal(bytes);
        ControlIdOf(_dir.Combine("26112513451234502.hl7")).Should().Be("NEW");
        logs.HasEventId(Hl7MllpEventIds.FileStoreNameTaken).Should().BeTrue();
    }

    [Fact]
    public async Task StoreAsync_SeveralTempFilesLeft_KeepsTheWholeOnesInOrderAndFlushesTheDirectory()
    {
        WriteTemp("26112513451234400.hl7", FileStorageTestData.MessageBytes("A"));
        var torn = WriteTemp("26112513451234401.hl7", FileStorageTestData.MessageBytes("B"));
        await File.WriteAllBytesAsync(_dir.Combine(torn), "MSH|"u8.ToArray());
        WriteTemp("26112513451234402.hl7", FileStorageTestData.MessageBytes("C"));
        await using var store = CreateLoggedStore(new RecordingLoggerFactory());

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().Equal("26112513451234400.hl7", "26112513451234402.hl7", Left);
        FileNames().Select(n => ControlIdOf(_dir.Combine(n))).Should().Equal("A", "C", "NEW");
        store.DirectorySyncs.Should().BeGreaterThanOrEqualTo(1, "the recovered names are flushed before anything new is written");
    }

    [Fact]
    public async Task StoreAsync_TempFilesNotOfThisStore_AreLeftAlone()
    {
        // Another wildcard's names, the file source's state file, and a name with an unreadable length: not this store's.
        var foreign = new[]
        {
            FileStorageNames.StoreTempName("ORU_26112513451234500.hl7", "x"u8),
            FileStorageNames.TempName(".hl7mllp-state.json"),
            FileStorageNames.TempPrefix + Left + ".12x.0123456789abcdef.tmp",
        };
        foreach (var name in foreign)
        {
            await File.WriteAllTextAsync(_dir.Combine(name), "x");
        }

        await using var store = CreateLoggedStore(new RecordingLoggerFactory());

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().BeEquivalentTo([Left, .. foreign]);
    }

    [Fact]
    public async Task StoreAsync_WholeTempNameIsALink_LeavesTheLinkAndItsTargetAlone()
    {
        // A link is nothing the store wrote: recovery neither renames it into the directory nor deletes it.
        var bytes = FileStorageTestData.MessageBytes("LINKED");
        using var outside = new TempDirectory("link-target");
        var target = outside.Combine("target");
        await File.WriteAllBytesAsync(target, bytes);
        var link = FileStorageNames.StoreTempName(Left, bytes);
        File.CreateSymbolicLink(_dir.Combine(link), target);
        var logs = new RecordingLoggerFactory();
        await using var store = CreateLoggedStore(logs);

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().BeEquivalentTo([Left, link]);
        ControlIdOf(_dir.Combine(Left)).Should().Be("NEW");
        (await File.ReadAllBytesAsync(target)).Should().Equal(bytes);
        logs.HasEventId(Hl7MllpEventIds.FileStoreTempRecovered).Should().BeFalse();
        logs.HasEventId(Hl7MllpEventIds.FileStoreTempDeleted).Should().BeFalse();
    }

    [Fact]
    public async Task StoreAsync_TempFileOfTheFormWithoutHash_IsDeletedAsNeverAcknowledged()
    {
        // Earlier versions renamed before they acknowledged, so their temporary files were never acknowledged.
        var legacy = FileStorageNames.TempName(Left);
        await File.WriteAllBytesAsync(_dir.Combine(legacy), FileStorageTestData.MessageBytes("OLD"));
        var logs = new RecordingLoggerFactory();
        await using var store = CreateLoggedStore(logs);

        await store.StoreAsync(FileStorageTestData.Received("NEW"));

        FileNames().Should().Equal(Left);
        ControlIdOf(_dir.Combine(Left)).Should().Be("NEW");
        logs.WithEventId(Hl7MllpEventIds.FileStoreTempDeleted).Should().ContainSingle().Which.Message.Should().Contain(legacy);
    }

    [Theory]
    [InlineData("26112513451234500.hl7")]
    [InlineData("a.b.c")]
    public void StoreTempName_RoundTrips(string fileName)
    {
        var bytes = FileStorageTestData.MessageBytes("RT");

        var temp = FileStorageNames.StoreTempName(fileName, bytes);

        FileStorageNames.TryParseStoreTempName(temp, out var parsedName, out var length, out var hash).Should().BeTrue();
        parsedName.Should().Be(fileName);
        length.Should().Be(bytes.Length);
        hash.Should().Be(FileStorageNames.ContentHash(bytes));
        FileStorageNames.ContentHash(bytes.AsSpan(1)).Should().NotBe(hash);
    }

    [Theory]
    [InlineData(".hl7mllp-tmp-x.tmp")]
    [InlineData(".hl7mllp-tmp-x.12.0123456789abcde.tmp")]
    [InlineData(".hl7mllp-tmp-x.12.0123456789abcdeg.tmp")]
    [InlineData(".hl7mllp-tmp-x.-1.0123456789abcdef.tmp")]
    [InlineData(".hl7mllp-tmp-.12.0123456789abcdef.tmp")]
    [InlineData(".hl7mllp-tmp-x.12.0123456789abcdef")]
    [InlineData("x.12.0123456789abcdef.tmp")]
    public void TryParseStoreTempName_OtherForms_ReturnsFalse(string name)
    {
        FileStorageNames.TryParseStoreTempName(name, out _, out _, out _).Should().BeFalse();
    }

    private string WriteTemp(string fileName, byte[] bytes)
    {
        var name = FileStorageNames.StoreTempName(fileName, bytes);
        File.WriteAllBytes(_dir.Combine(name), bytes);
        return name;
    }

    private FileMessageStore CreateLoggedStore(RecordingLoggerFactory logs) => new(Options("*.hl7"), logs, _time);
}
