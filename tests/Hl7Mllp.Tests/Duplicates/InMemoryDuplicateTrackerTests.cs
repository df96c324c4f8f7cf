using System.Text;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Duplicates;

public sealed class InMemoryDuplicateTrackerTests : IDisposable
{
    private readonly TempDirectory _temp = new("dupes");

    public void Dispose() => _temp.Dispose();

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private static Hl7Message Message(string controlId, string application = "LAB", string facility = "NORTH") =>
        Hl7Message.Parse($"MSH|^~\\&|{application}|{facility}|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1\rPID|1||123\r");

    private InMemoryDuplicateTrackerOptions Persisted(DuplicatePersistence persistence = DuplicatePersistence.OnShutdown, int capacity = 100) => new()
    {
        Capacity = capacity,
        Persistence = persistence,
        Directory = _temp.Path,
        ConnectionName = "ADT_IN",
    };

    [Fact]
    public void IsDuplicate_AfterRecord_True()
    {
        var tracker = new InMemoryDuplicateTracker();
        tracker.IsDuplicate(Message("A1")).Should().BeFalse();

        tracker.Record(Message("A1"));

        tracker.IsDuplicate(Message("A1")).Should().BeTrue();
        tracker.IsDuplicate(Message("A2")).Should().BeFalse();
    }

    private static DuplicateKeyFields Fields(in Hl7Message message) => DuplicateKey.Find(message.Header.Bytes.Span, message.Delimiters.FieldByte);

    [Theory]
    [InlineData(DuplicateKeyMode.SenderAndControlId)]
    [InlineData(DuplicateKeyMode.ControlIdOnly)]
    public void IsDuplicate_SplitHeaderPath_SameAnswersAsTheMessagePath(DuplicateKeyMode mode)
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { KeyMode = mode });
        Hl7Message first = Message("A1");
        tracker.IsDuplicate(first.Header.Bytes.Span, Fields(first), out int hash).Should().BeFalse();

        tracker.Record(first.Header.Bytes.Span, Fields(first), hash);

        Hl7Message otherSender = Message("A1", application: "RAD");
        tracker.IsDuplicate(first).Should().BeTrue("the key recorded with the hash handed back is found by the message path");
        tracker.IsDuplicate(first.Header.Bytes.Span, Fields(first), out _).Should().BeTrue();
        tracker.IsDuplicate(otherSender.Header.Bytes.Span, Fields(otherSender), out _).Should().Be(mode == DuplicateKeyMode.ControlIdOnly);
        tracker.IsDuplicate(otherSender).Should().Be(mode == DuplicateKeyMode.ControlIdOnly);
        tracker.GetKeys().Should().ContainSingle().Which.Should().Be(mode == DuplicateKeyMode.ControlIdOnly ? "A1" : "LAB|NORTH|A1");
    }

    [Theory]
    [InlineData("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01|A1")]
    [InlineData("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01|A1|P")]
    [InlineData("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01|A1|P|2.5.1||||AL|NE||UNICODE UTF-8|||")]
    public void IsDuplicate_HeaderEndingAtOrPastMsh10_SameKey(string msh)
    {
        var tracker = new InMemoryDuplicateTracker();
        tracker.Record(Message("A1"));

        Hl7Message message = Hl7Message.Parse(msh + "\rPID|1||123\r");

        tracker.IsDuplicate(message).Should().BeTrue("MSH-10 ends at the next separator or at the segment's end");
        tracker.IsDuplicate(Hl7Message.Parse(msh.Replace("|A1", "|A12", StringComparison.Ordinal) + "\rPID|1\r")).Should().BeFalse();
    }

    [Fact]
    public void IsDuplicate_HeaderWithoutMsh10_NeverADuplicate()
    {
        var tracker = new InMemoryDuplicateTracker();
        Hl7Message noControlId = Hl7Message.Parse("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01\rPID|1\r");
        tracker.Record(noControlId);

        tracker.IsDuplicate(noControlId).Should().BeFalse();
        tracker.Count.Should().Be(0);
    }

    [Fact]
    public void Record_SplitHeaderPathBlankControlIdOrTrackingOff_NothingRecorded()
    {
        var tracker = new InMemoryDuplicateTracker();
        Hl7Message blank = Message("  ");
        tracker.IsDuplicate(blank.Header.Bytes.Span, Fields(blank), out int hash).Should().BeFalse();
        tracker.Record(blank.Header.Bytes.Span, Fields(blank), hash);
        tracker.Count.Should().Be(0);

        var off = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 0 });
        Hl7Message message = Message("A1");
        off.Record(message.Header.Bytes.Span, Fields(message), 0);
        off.IsDuplicate(message.Header.Bytes.Span, Fields(message), out _).Should().BeFalse();
        off.Count.Should().Be(0);
    }

    [Fact]
    public void IsDuplicate_ManyMoreKeysThanCapacity_ExactlyTheLastCapacityRemembered()
    {
        // Keys of varying length, so evicted slots are reused by shorter and longer keys alike.
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 100 });
        string Id(int i) => new string('X', i % 7) + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < 1000; i++)
        {
            tracker.Record(Message(Id(i)));
        }

        tracker.Count.Should().Be(100);
        Enumerable.Range(0, 1000).Where(i => tracker.IsDuplicate(Message(Id(i)))).Should().Equal(Enumerable.Range(900, 100));
        tracker.GetKeys().Should().Equal(Enumerable.Range(900, 100).Select(i => "LAB|NORTH|" + Id(i)));
    }

    [Fact]
    public void Record_KnownKeyAtCapacity_RefreshesWithoutEvicting()
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 2 });
        tracker.Record(Message("A"));
        tracker.Record(Message("B"));

        tracker.Record(Message("A"));

        tracker.Count.Should().Be(2);
        tracker.IsDuplicate(Message("A")).Should().BeTrue();
        tracker.IsDuplicate(Message("B")).Should().BeTrue();
    }

    [Fact]
    public void Contains_KeyWithLatin1AndWiderChars_MatchesOnlyWhatBytesCanMake()
    {
        // MSH-10 "é" in UTF-8 is two bytes, shown as two Latin-1 chars; a char past U+00FF never comes from bytes.
        var tracker = new InMemoryDuplicateTracker();
        tracker.Record(Message("\u00e9"));

        tracker.GetKeys().Should().Equal("LAB|NORTH|\u00c3\u00a9");
        tracker.Contains("LAB|NORTH|\u00c3\u00a9").Should().BeTrue();
        tracker.Contains("LAB|NORTH|\u00e9").Should().BeFalse();
        tracker.Contains("LAB|NORTH|\u4e2d").Should().BeFalse();
    }

    [Fact]
    public async Task IsDuplicateAsync_ThroughTheInterface_SameAnswer()
    {
        IDuplicateTracker tracker = new InMemoryDuplicateTracker();
        var received = new ReceivedMessage(Message("A1"), DateTimeOffset.UnixEpoch);

        (await tracker.IsDuplicateAsync(received)).Should().BeFalse();
        await tracker.RecordAsync(received);

        (await tracker.IsDuplicateAsync(received)).Should().BeTrue();
    }

    [Fact]
    public void IsDuplicate_SameControlIdOtherSender_FalseByDefaultTrueInControlIdOnlyMode()
    {
        var byDefault = new InMemoryDuplicateTracker();
        var controlIdOnly = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { KeyMode = DuplicateKeyMode.ControlIdOnly });
        byDefault.Record(Message("A1", "LAB", "NORTH"));
        controlIdOnly.Record(Message("A1", "LAB", "NORTH"));

        byDefault.IsDuplicate(Message("A1", "RAD", "NORTH")).Should().BeFalse();
        byDefault.IsDuplicate(Message("A1", "LAB", "SOUTH")).Should().BeFalse();
        controlIdOnly.IsDuplicate(Message("A1", "RAD", "SOUTH")).Should().BeTrue();
        byDefault.GetKeys().Should().Equal("LAB|NORTH|A1");
        controlIdOnly.GetKeys().Should().Equal("A1");
    }

    [Fact]
    public void Record_BlankControlId_NeverADuplicateAndNotRecorded()
    {
        var tracker = new InMemoryDuplicateTracker();

        tracker.Record(Message(string.Empty));
        tracker.Record(Message("  "));

        tracker.IsDuplicate(Message(string.Empty)).Should().BeFalse();
        tracker.Count.Should().Be(0);
    }

    [Fact]
    public void Record_CapacityZero_TrackingOff()
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 0 });

        tracker.Record(Message("A1"));

        tracker.IsDuplicate(Message("A1")).Should().BeFalse();
        tracker.Count.Should().Be(0);
    }

    [Fact]
    public void Record_PastCapacity_ForgetsOldestFirstAndStaysBounded()
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 3 });

        foreach (string id in new[] { "1", "2", "3", "4", "5" })
        {
            tracker.Record(Message(id));
        }

        tracker.Count.Should().Be(3);
        tracker.GetKeys().Should().Equal("LAB|NORTH|3", "LAB|NORTH|4", "LAB|NORTH|5");
        tracker.IsDuplicate(Message("1")).Should().BeFalse();
        tracker.IsDuplicate(Message("2")).Should().BeFalse();
        tracker.IsDuplicate(Message("3")).Should().BeTrue();
    }

    [Fact]
    public void Record_ManyMore_CountNeverExceedsCapacity()
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 50 });

        for (int i = 0; i < 10_000; i++)
        {
            tracker.Record(Message(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        tracker.Count.Should().Be(50);
        tracker.IsDuplicate(Message("9999")).Should().BeTrue();
        tracker.IsDuplicate(Message("9949")).Should().BeFalse();
    }

    [Fact]
    public void IsDuplicate_LongKey_BuiltOffTheStack()
    {
        var tracker = new InMemoryDuplicateTracker();
        string longId = new('X', 600);

        tracker.Record(Message(longId));

        tracker.IsDuplicate(Message(longId)).Should().BeTrue();
        tracker.IsDuplicate(Message(longId + "Y")).Should().BeFalse();
    }

    [Fact]
    public void IsDuplicate_OlderThanWindow_False()
    {
        var time = Clock();
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Window = TimeSpan.FromMinutes(10) }, time);
        tracker.Record(Message("A1"));

        time.Advance(TimeSpan.FromMinutes(10));
        tracker.IsDuplicate(Message("A1")).Should().BeTrue("the window is inclusive");

        time.Advance(TimeSpan.FromMilliseconds(1));
        tracker.IsDuplicate(Message("A1")).Should().BeFalse();
        tracker.GetKeys().Should().BeEmpty();
    }

    [Fact]
    public void IsDuplicate_InfiniteWindow_NeverExpires()
    {
        var time = Clock();
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Window = Timeout.InfiniteTimeSpan }, time);
        tracker.Record(Message("A1"));

        time.Advance(TimeSpan.FromDays(3650));

        tracker.IsDuplicate(Message("A1")).Should().BeTrue();
    }

    [Fact]
    public void Record_SameKeyAgain_RefreshesItsTime()
    {
        var time = Clock();
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Window = TimeSpan.FromMinutes(10) }, time);
        tracker.Record(Message("A1"));
        time.Advance(TimeSpan.FromMinutes(8));

        tracker.Record(Message("A1"));
        time.Advance(TimeSpan.FromMinutes(8));

        tracker.IsDuplicate(Message("A1")).Should().BeTrue();
        tracker.Count.Should().Be(1);
    }

    [Theory]
    [InlineData(-1, "Capacity")]
    [InlineData(10, "Directory")]
    public void Constructor_InvalidOptions_ThrowsNamingTheProblem(int capacity, string problem)
    {
        var options = new InMemoryDuplicateTrackerOptions { Capacity = capacity, Persistence = capacity < 0 ? DuplicatePersistence.None : DuplicatePersistence.OnShutdown };

        Action create = () => _ = new InMemoryDuplicateTracker(options);

        create.Should().Throw<ArgumentException>().WithMessage($"*{problem}*");
    }

    [Fact]
    public void Constructor_EveryProblemListedOnce()
    {
        var options = new InMemoryDuplicateTrackerOptions { Capacity = -5, Window = TimeSpan.Zero, ConnectionName = "a/b" };

        Action create = () => _ = new InMemoryDuplicateTracker(options);

        create.Should().Throw<ArgumentException>().WithMessage("*Capacity*Window*ConnectionName*");
    }

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_RoundTripsKeysInOrder()
    {
        var time = Clock();
        await using (var first = new InMemoryDuplicateTracker(Persisted(), time))
        {
            (await first.LoadAsync()).Should().Be(0);
            first.Record(Message("1"));
            first.Record(Message("2", "RAD", "SOUTH"));
            first.Record(Message("3"));
        }

        string path = Path.Combine(_temp.Path, "ADT_IN_TrackDupes.txt");
        File.Exists(path).Should().BeTrue();
        File.Exists(path + ".tmp").Should().BeFalse();

        await using var second = new InMemoryDuplicateTracker(Persisted(), time);
        (await second.LoadAsync()).Should().Be(3);
        second.GetKeys().Should().Equal("LAB|NORTH|1", "RAD|SOUTH|2", "LAB|NORTH|3");
        second.IsDuplicate(Message("2", "RAD", "SOUTH")).Should().BeTrue();
        second.FilePath.Should().Be(path);
    }

    [Fact]
    public async Task LoadAsync_MoreKeysThanCapacity_KeepsTheMostRecent()
    {
        await using (var big = new InMemoryDuplicateTracker(Persisted(capacity: 10)))
        {
            for (int i = 0; i < 10; i++)
            {
                big.Record(Message($"K{i}"));
            }
        }

        await using var small = new InMemoryDuplicateTracker(Persisted(capacity: 3));
        await small.LoadAsync();

        small.GetKeys().Should().Equal("LAB|NORTH|K7", "LAB|NORTH|K8", "LAB|NORTH|K9");
    }

    [Fact]
    public async Task LoadAsync_ExpiredKeysInFile_Skipped()
    {
        var time = Clock();
        InMemoryDuplicateTrackerOptions options = Persisted();
        options.Window = TimeSpan.FromHours(1);
        await using (var first = new InMemoryDuplicateTracker(options, time))
        {
            first.Record(Message("OLD"));
            time.Advance(TimeSpan.FromMinutes(50));
            first.Record(Message("NEW"));
        }

        time.Advance(TimeSpan.FromMinutes(20));
        await using var second = new InMemoryDuplicateTracker(options, time);
        await second.LoadAsync();

        second.GetKeys().Should().Equal("LAB|NORTH|NEW");
    }

    [Fact]
    public async Task LoadAsync_LeftoverTemporaryFile_IgnoredAndDeleted()
    {
        string path = Path.Combine(_temp.Path, "ADT_IN_TrackDupes.txt");
        await using (var first = new InMemoryDuplicateTracker(Persisted()))
        {
            first.Record(Message("GOOD"));
        }

        // A crash during a save leaves a half-written temporary file; the real file is untouched.
        await File.WriteAllTextAsync(path + ".tmp", "# hl7mllp duplicate keys v1\n1767000000000\tLAB|NORTH|HALF");

        await using var second = new InMemoryDuplicateTracker(Persisted());
        await second.LoadAsync();

        second.GetKeys().Should().Equal("LAB|NORTH|GOOD");
        File.Exists(path + ".tmp").Should().BeFalse();
    }

    [Fact]
    public async Task LoadAsync_MalformedAndTornLines_Skipped()
    {
        long now = Clock().GetUtcNow().ToUnixTimeMilliseconds();
        string path = Path.Combine(_temp.Path, "ADT_IN_TrackDupes.txt");
        await File.WriteAllTextAsync(path, $"# header\n\nnot a line\n{now}\n{now}\t\nx{now}\tBAD\n{now}\tLAB|NORTH|OK\r\n{now}\tLAB|NORTH|TORN", Encoding.UTF8);

        await using var tracker = new InMemoryDuplicateTracker(Persisted(), Clock());
        (await tracker.LoadAsync()).Should().Be(1);

        tracker.GetKeys().Should().Equal("LAB|NORTH|OK");
    }

    [Fact]
    public async Task LoadAsync_NotPersisted_DoesNothing()
    {
        var tracker = new InMemoryDuplicateTracker();

        (await tracker.LoadAsync()).Should().Be(0);
        await tracker.SaveAsync();

        tracker.FilePath.Should().BeNull();
        Directory.EnumerateFileSystemEntries(_temp.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Journal_RecordedKeysSurviveWithoutDispose()
    {
        // A process that is killed never disposes its tracker: in journal mode each record is already on disk.
        var crashed = new InMemoryDuplicateTracker(Persisted(DuplicatePersistence.Journal));
        await crashed.LoadAsync();
        crashed.Record(Message("J1"));
        crashed.Record(Message("J2"));

        string path = Path.Combine(_temp.Path, "ADT_IN_TrackDupes.txt");
        string copy = Path.Combine(_temp.Path, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(path, Path.Combine(copy, "ADT_IN_TrackDupes.txt"));
        await crashed.DisposeAsync();

        var options = Persisted(DuplicatePersistence.Journal);
        options.Directory = copy;
        await using var restarted = new InMemoryDuplicateTracker(options);
        (await restarted.LoadAsync()).Should().Be(2);
        restarted.IsDuplicate(Message("J2")).Should().BeTrue();
    }

    [Fact]
    public async Task Record_KeysPastTheStackLimitInSlotsThatHeldShortOnes_FoundSavedAndLoaded()
    {
        // Capacity 2: the long keys land in slots whose buffers were sized for short keys, and are built in a
        // pooled buffer rather than on the stack; both must still be found, listed, saved and loaded whole.
        string longId = new('L', DuplicateKey.StackLimit + 10);
        string longerId = "\u00e9" + new string('M', (DuplicateKey.StackLimit * 2) + 1);
        await using (var tracker = new InMemoryDuplicateTracker(Persisted(capacity: 2)))
        {
            tracker.Record(Message("S1"));
            tracker.Record(Message("S2"));
            tracker.Record(Message(longId));
            tracker.Record(Message(longerId));

            tracker.IsDuplicate(Message("S1")).Should().BeFalse("the long keys replaced both short ones");
            tracker.IsDuplicate(Message("S2")).Should().BeFalse();
            tracker.IsDuplicate(Message(longId)).Should().BeTrue();
            tracker.IsDuplicate(Message(longerId)).Should().BeTrue();
            tracker.IsDuplicate(Message(longId + "X")).Should().BeFalse("a key is matched whole, not by prefix");
            tracker.Contains("LAB|NORTH|" + longId).Should().BeTrue();
            tracker.GetKeys().Should().Equal("LAB|NORTH|" + longId, "LAB|NORTH|\u00c3\u00a9" + longerId[1..]);
        }

        await using var restarted = new InMemoryDuplicateTracker(Persisted(capacity: 2));
        (await restarted.LoadAsync()).Should().Be(2);
        restarted.IsDuplicate(Message(longId)).Should().BeTrue();
        restarted.IsDuplicate(Message(longerId)).Should().BeTrue();
    }

    [Fact]
    public async Task Record_FromManyThreads_CountStaysBoundedAndEveryKeyIsFound()
    {
        var tracker = new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = 4000 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                Hl7Message message = Message($"{worker}-{i}");
                tracker.Record(message);
                tracker.IsDuplicate(message).Should().BeTrue();
            }
        })));

        tracker.Count.Should().Be(4000);
    }
}
