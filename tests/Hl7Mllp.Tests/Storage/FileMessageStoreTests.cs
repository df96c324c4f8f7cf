using System.Diagnostics;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Storage;

public sealed partial class FileMessageStoreTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 13, 45, 12, 345, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("store");
    private readonly FakeTimeProvider _time = new(Noon);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StoreAsync_Wildcard_NamesFileWithPrefixTimestampSequenceAndExtension()
    {
        await using var store = CreateStore("ADT_*.hl7");
        var bytes = FileStorageTestData.MessageBytes("C1");

        await store.StoreAsync(FileStorageTestData.Received(bytes));

        var path = _dir.Combine("ADT_26112513451234500.hl7");
        File.Exists(path).Should().BeTrue();
        (await File.ReadAllBytesAsync(path)).Should().Equal(bytes, "the bytes are kept exactly as received");
        Directory.GetFiles(_dir.Path).Should().ContainSingle("no temporary file remains");
    }

    [Fact]
    public async Task StoreAsync_LocalTimeByDefault_StampsLocalWallClock()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2"));
        await using var store = CreateStore("*.hl7", utc: false);

        await store.StoreAsync(FileStorageTestData.Received("C1"));

        FileNames().Should().Equal("26112515451234500.hl7");
    }

    [Theory]
    [InlineData("*", "26112513451234500")]
    [InlineData("in-*", "in-26112513451234500")]
    [InlineData("*.msg.txt", "26112513451234500.msg.txt")]
    [InlineData("A*B.hl7", "A26112513451234500B.hl7")]
    public async Task StoreAsync_WildcardForms_PutStampWhereTheStarIs(string pattern, string expected)
    {
        await using var store = CreateStore(pattern);

        await store.StoreAsync(FileStorageTestData.Received("C1"));

        FileNames().Should().Equal(expected);
    }

    [Fact]
    public async Task StoreAsync_MissingDirectory_IsCreated()
    {
        await using var store = new FileMessageStore(new FileMessageStoreOptions { Path = _dir.Combine("a", "b", "*.hl7") }, timeProvider: _time);

        await store.StoreAsync(FileStorageTestData.Received("C1"));

        Directory.GetFiles(_dir.Combine("a", "b")).Should().ContainSingle();
    }

    [Fact]
    public async Task StoreAsync_MissingDirectoryAndCreateOff_ThrowsAndLogs()
    {
        var logs = new RecordingLoggerFactory();
        await using var store = new FileMessageStore(
            new FileMessageStoreOptions { Path = _dir.Combine("missing", "*.hl7"), CreateDirectory = false }, logs, _time);

        var act = async () => await store.StoreAsync(FileStorageTestData.Received("C1"));

        await act.Should().ThrowAsync<IOException>();
        logs.HasEventId(Hl7MllpEventIds.FileStoreFailed).Should().BeTrue();
    }

    [Fact]
    public async Task StoreAsync_SequentialStoresInOneMillisecond_NamesSortInArrivalOrder()
    {
        await using var store = CreateStore("*.hl7");
        List<string> controlIds = [];
        for (var i = 0; i < 150; i++)
        {
            controlIds.Add($"C{i}");
            await store.StoreAsync(FileStorageTestData.Received($"C{i}"));
        }

        var names = FileNames();
        names.Should().HaveCount(150).And.BeInAscendingOrder(StringComparer.Ordinal);
        names[0].Should().Be("26112513451234500.hl7");
        names[99].Should().Be("26112513451234599.hl7");
        names[100].Should().Be("26112513451234600.hl7", "the 101st name of a millisecond borrows the next millisecond");
        names.Select(n => ControlIdOf(_dir.Combine(n))).Should().Equal(controlIds);
    }

    [Fact]
    public async Task StoreAsync_ManyParallelStoresWithFrozenClock_NamesAreUnique()
    {
        await using var store = CreateStore("*.hl7");

        await Parallel.ForAsync(0, 400, async (i, token) => await store.StoreAsync(FileStorageTestData.Received($"P{i}"), token));

        var names = FileNames();
        names.Should().HaveCount(400).And.OnlyHaveUniqueItems();
        names.Select(n => ControlIdOf(_dir.Combine(n))).Should().BeEquivalentTo(Enumerable.Range(0, 400).Select(i => $"P{i}"));
        Directory.GetFiles(_dir.Path, FileStorageNames.ReservedPrefix + "*").Should().BeEmpty();
    }

    [Fact]
    public async Task StoreAsync_ClockGoesBack_NamesKeepIncreasing()
    {
        var clock = new SteppingTimeProvider { Now = Noon };
        await using var store = new FileMessageStore(Options("*.hl7"), timeProvider: clock);
        await store.StoreAsync(FileStorageTestData.Received("first"));
        clock.Now = Noon.AddHours(-1);

        await store.StoreAsync(FileStorageTestData.Received("second"));

        FileNames().Should().Equal("26112513451234500.hl7", "26112513451234501.hl7");
    }

    [Fact]
    public async Task StoreAsync_NameTakenByEarlierRun_NeverOverwritesAndTakesNextName()
    {
        var logs = new RecordingLoggerFactory();
        var existing = _dir.Combine("26112513451234500.hl7");
        await File.WriteAllTextAsync(existing, "earlier run");
        await using var store = new FileMessageStore(Options("*.hl7"), logs, _time);

        await store.StoreAsync(FileStorageTestData.Received("C1"));

        (await File.ReadAllTextAsync(existing)).Should().Be("earlier run");
        ControlIdOf(_dir.Combine("26112513451234501.hl7")).Should().Be("C1");
        logs.HasEventId(Hl7MllpEventIds.FileStoreNameTaken).Should().BeTrue();
        Directory.GetFiles(_dir.Path).Should().HaveCount(2);
    }

    [Theory]
    [InlineData("*.hl7")]
    [InlineData("ADT_*.hl7")]
    [InlineData("*")]
    public void TempName_NeverMatchedByAFileSourceNorByTheFinalNamesExtension(string pattern)
    {
        foreach (var temp in new[] { FileStorageNames.TempName("ADT_26112513451234500.hl7"), FileStorageNames.StoreTempName("ADT_26112513451234500.hl7", "MSH|"u8) })
        {
            System.IO.Enumeration.FileSystemName.MatchesSimpleExpression("*.hl7", temp).Should().BeFalse("a consumer globbing *.hl7 must not see a file being written");
            new FileMessageSource(new FileMessageSourceOptions { Path = _dir.Combine(pattern) }).Should().NotBeNull();
            List<string> problems = [];
            FileWildcard.TryParse(_dir.Combine(pattern), "Path", singleStar: false, problems)!.Matches(temp).Should().BeFalse();
        }
    }

    [Fact]
    public async Task StoreAsync_TempNameOccupiedBySymlinkToDevFull_ThrowsAndLeavesNoMessageFile()
    {
        // B3: the temporary name is taken by a link to /dev/full. The exclusive create fails, the store throws (the
        // pipeline NAKs 207), the link is not followed, written through or deleted, and no message file appears.
        // Recovery at open leaves links alone, so the link is still there when the store writes.
        var tempName = FileStorageNames.StoreTempName("26112513451234500.hl7", FileStorageTestData.MessageBytes("C1"));
        File.CreateSymbolicLink(_dir.Combine(tempName), "/dev/full");
        await using var store = CreateStore("*.hl7");

        var act = async () => await store.StoreAsync(FileStorageTestData.Received("C1"));

        await act.Should().ThrowAsync<IOException>();
        FileNames().Should().Equal(tempName);
    }

    [SkippableFact]
    public async Task StoreAsync_DiskFull_ThrowsAndLeavesNoPartialFile()
    {
        // B3 with a real ENOSPC: a 16 KiB tmpfs, filled by a 60 KiB message.
        using var tiny = TinyFileSystem.TryMount(_dir.Combine("tiny"), "16k");
        Skip.If(tiny is null, "needs root to mount a tmpfs");
        var logs = new RecordingLoggerFactory();
        await using var store = new FileMessageStore(new FileMessageStoreOptions { Path = Path.Join(tiny.Path, "*.hl7") }, logs, _time);
        var big = FileStorageTestData.MessageBytes("BIG").Concat("OBX|1|TX|||"u8.ToArray()).Concat(Enumerable.Repeat((byte)'X', 60 * 1024)).ToArray();

        var act = async () => await store.StoreAsync(FileStorageTestData.Received(big));

        (await act.Should().ThrowAsync<IOException>()).Which.HResult.Should().NotBe(0);
        Directory.GetFileSystemEntries(tiny.Path).Should().BeEmpty("neither the temporary file nor a partial message may remain");
        logs.WithEventId(Hl7MllpEventIds.FileStoreFailed).Should().ContainSingle();
        logs.AssertNoEntryContains("XXXXXXXX");

        await store.StoreAsync(FileStorageTestData.Received("small"));
        Directory.GetFiles(tiny.Path).Should().ContainSingle("the store keeps working once there is room");
    }

    [SkippableFact]
    public async Task StoreAsync_GroupCommitAndManyConcurrentStores_SharesFileSystemAndDirectoryFlushes()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "syncfs group commit is Linux only");
        var store = CreateStore("*.hl7");

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.StoreAsync(FileStorageTestData.Received($"G{i}")).AsTask()));

        FileNames().Should().HaveCount(64, "every store returned only after its file had its final name");
        store.FileSyncs.Should().Be(0, "no message file is flushed on its own");
        // How many share each flush depends on how fast the disk is against how fast the stores arrive (a fast syncfs
        // makes small batches); that some do is the property, not a batch size.
        var rounds = store.FileSystemSyncs;
        rounds.Should().BeInRange(1, 63, "stores queued while a flush runs share the next one");
        await store.DisposeAsync();
        store.DirectorySyncs.Should().BeInRange(1, rounds, "a directory flush only for renames no later syncfs carried (at least the last round's, at dispose)");
    }

    [SkippableFact]
    public async Task StoreAsync_GroupCommitOneWriter_FlushesDataThenNameOncePerMessage()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "syncfs group commit is Linux only");
        var store = CreateStore("*.hl7");

        for (var i = 0; i < 3; i++)
        {
            await store.StoreAsync(FileStorageTestData.Received($"S{i}"));
            FileNames().Should().HaveCount(i + 1, "the store returned only after its file had its final name");
            store.FileSystemSyncs.Should().Be(i + 1, "each message waits for the one flush of its data, never for a second one");
        }

        await store.DisposeAsync();
        store.FileSystemSyncs.Should().Be(3);
        store.DirectorySyncs.Should().BeInRange(1, 3, "a rename no later syncfs carried is flushed when the store is idle or disposed");
        Directory.GetFileSystemEntries(_dir.Path, FileStorageNames.ReservedPrefix + "*").Should().BeEmpty();
    }

    [Fact]
    public async Task StoreAsync_GroupCommitOff_FlushesEveryFileAndTheDirectoryPerMessage()
    {
        var options = Options("*.hl7");
        options.GroupCommit = false;
        await using var store = new FileMessageStore(options, timeProvider: _time);

        await Parallel.ForAsync(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) => await store.StoreAsync(FileStorageTestData.Received($"G{i}"), token));

        FileNames().Should().HaveCount(64);
        store.FileSyncs.Should().Be(64);
        store.DirectorySyncs.Should().Be(64);
        store.FileSystemSyncs.Should().Be(0);
    }

    [Fact]
    public async Task StoreAsync_OneTempNameIsSymlinkToDevFullAmongConcurrentStores_FailsOnlyThatStore()
    {
        // Every store holds the same bytes, so the eighth one's temporary name is known in advance.
        var tempName = FileStorageNames.StoreTempName("26112513451234507.hl7", FileStorageTestData.MessageBytes("SAME"));
        File.CreateSymbolicLink(_dir.Combine(tempName), "/dev/full");
        await using var store = CreateStore("*.hl7");

        var outcomes = await StoreConcurrently(store, 16, _ => "SAME");

        outcomes.Should().ContainSingle(o => o != null).Which.Should().BeAssignableTo<IOException>();
        FileNames().Should().HaveCount(16, "15 messages and the untouched link").And.Contain(tempName)
            .And.NotContain("26112513451234507.hl7");
    }

    [Fact]
    public async Task StoreAsync_DirectorySquatsOnANameInABatch_ThatStoreTakesTheNextName()
    {
        // A directory squats on one final name: the rename never replaces it (renameat2 RENAME_NOREPLACE sees it as taken).
        Directory.CreateDirectory(_dir.Combine("26112513451234503.hl7"));
        var logs = new RecordingLoggerFactory();
        var options = Options("*.hl7");
        options.UseUtcTimestamp = true;
        await using var store = new FileMessageStore(options, logs, _time);

        var outcomes = await StoreConcurrently(store, 16);

        outcomes.Should().OnlyContain(o => o == null);
        Directory.GetFiles(_dir.Path).Should().HaveCount(16);
        Directory.Exists(_dir.Combine("26112513451234503.hl7")).Should().BeTrue();
        Directory.GetFileSystemEntries(_dir.Path, FileStorageNames.ReservedPrefix + "*").Should().BeEmpty();
        logs.Entries.Should().Contain(e => e.EventId.Id == Hl7MllpEventIds.FileStoreNameTaken);
    }

    [Fact]
    public async Task DisposeAsync_WhileStoresPending_EachStoreCompletesWithItsFileOrThrowsDisposed()
    {
        var store = CreateStore("*.hl7");
        await store.StoreAsync(FileStorageTestData.Received("first"));
        var running = Enumerable.Range(0, 64).Select(i => Task.Run(async () => await store.StoreAsync(FileStorageTestData.Received($"D{i}")))).ToArray();

        await store.DisposeAsync();
        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromMinutes(1));

        running.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException).Should().AllBeOfType<ObjectDisposedException>();
        FileNames().Should().HaveCount(1 + running.Count(t => t.IsCompletedSuccessfully), "every completed store left its file, every failed one nothing");
    }

    [Fact]
    public async Task StoreAsync_CanceledAfterWritingBegan_StillStoresTheMessage()
    {
        await using var store = CreateStore("*.hl7");
        using var cancel = new CancellationTokenSource();

        var storing = store.StoreAsync(FileStorageTestData.Received("C1"), cancel.Token);
        await cancel.CancelAsync();
        await storing;

        FileNames().Should().Equal("26112513451234500.hl7");
    }

    [Fact]
    public async Task StoreAsync_Canceled_ThrowsBeforeWriting()
    {
        await using var store = CreateStore("*.hl7");

        var act = async () => await store.StoreAsync(FileStorageTestData.Received("C1"), new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        Directory.GetFiles(_dir.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task StoreAsync_AfterDispose_Throws()
    {
        var store = CreateStore("*.hl7");
        await store.StoreAsync(FileStorageTestData.Received("C1"));
        await store.DisposeAsync();

        var act = async () => await store.StoreAsync(FileStorageTestData.Received("C2"));

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/data/in/")]
    [InlineData("/data/in/ADT.hl7")]
    [InlineData("/data/in/*_*.hl7")]
    [InlineData("/data/in/?*.hl7")]
    [InlineData("/data/*/x*.hl7")]
    [InlineData("/data/in/.hl7mllp-*.hl7")]
    public void Constructor_InvalidWildcard_ThrowsNamingTheOption(string path)
    {
        var act = () => new FileMessageStore(new FileMessageStoreOptions { Path = path });

        act.Should().Throw<ArgumentException>().WithMessage("*Path*");
    }

    private FileMessageStore CreateStore(string pattern, bool utc = true)
    {
        var options = Options(pattern);
        options.UseUtcTimestamp = utc;
        return new FileMessageStore(options, timeProvider: _time);
    }

    /// <summary>Starts <paramref name="count"/> stores at once; returns each one's exception, or null when it succeeded.</summary>
    private static async Task<Exception?[]> StoreConcurrently(FileMessageStore store, int count, Func<int, string>? controlId = null)
    {
        controlId ??= i => $"M{i}";
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () => await store.StoreAsync(FileStorageTestData.Received(controlId(i))))).ToArray();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        return [.. tasks.Select(t => t.Exception?.InnerException)];
    }

    private FileMessageStoreOptions Options(string pattern) => new() { Path = _dir.Combine(pattern), UseUtcTimestamp = true };

    private List<string> FileNames() =>
        [.. Directory.GetFileSystemEntries(_dir.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    private static string ControlIdOf(string path) =>
        Hl7Message.Parse(File.ReadAllBytes(path)).ControlId;
}

/// <summary>A clock that can be set backwards (FakeTimeProvider refuses to).</summary>
internal sealed class SteppingTimeProvider : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A tiny tmpfs mounted for one test (root only), unmounted on dispose: a real full disk.</summary>
internal sealed class TinyFileSystem : IDisposable
{
    private TinyFileSystem(string path) => Path = path;

    public string Path { get; }

    public static TinyFileSystem? TryMount(string path, string size)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }

        Directory.CreateDirectory(path);
        using var mount = Process.Start("mount", ["-t", "tmpfs", "-o", $"size={size}", "tmpfs", path]);
        mount.WaitForExit(10_000);
        return mount.ExitCode == 0 ? new TinyFileSystem(path) : null;
    }

    public void Dispose()
    {
        using var umount = Process.Start("umount", ["-l", Path]);
        umount.WaitForExit(10_000);
    }
}
