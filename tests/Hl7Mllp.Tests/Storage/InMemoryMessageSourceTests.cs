using System.Text;
using FluentAssertions;
using Hl7Mllp.Acks;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hl7Mllp.Tests.Storage;

public class InMemoryMessageSourceTests
{
    private static readonly MllpSendResult Done = MllpSendResult.Timeout("X");

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public async Task EnqueueAsync_Full_WaitsUntilAMessageIsCompletedNeverDrops()
    {
        // RELIABILITY C9 / F6: a full outbox applies back-pressure instead of dropping message capacity + 1.
        var source = new InMemoryMessageSource(capacity: 2);
        var first = await source.EnqueueAsync(Bytes("a"));
        await source.EnqueueAsync(Bytes("b"));

        ValueTask<OutboundMessage> third = source.EnqueueAsync(Bytes("c"));
        third.IsCompleted.Should().BeFalse("the source is full");
        source.TryEnqueue(Bytes("d"), out var rejected).Should().BeFalse();
        rejected.Should().BeNull();

        await source.CompleteAsync(first, Done);
        var added = await third.AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        added.Id.Should().Be("3");
        source.Count.Should().Be(2);
        source.GetPendingCount().Should().Be(2);
    }

    [Fact]
    public async Task EnqueueAsync_CanceledWhileFull_AddsNothing()
    {
        var source = new InMemoryMessageSource(capacity: 1);
        await source.EnqueueAsync(Bytes("a"));
        using var cts = new CancellationTokenSource();

        var waiting = source.EnqueueAsync(Bytes("b"), cts.Token);
        await cts.CancelAsync();

        await FluentActions.Awaiting(async () => await waiting).Should().ThrowAsync<OperationCanceledException>();
        source.Count.Should().Be(1);
    }

    [Fact]
    public async Task PollAsync_UncompletedMessages_OfferedAgainFirstInOrder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var completed = new List<(OutboundMessage, MllpSendResult)>();
        var source = new InMemoryMessageSource(completed: (m, r) => completed.Add((m, r)), timeProvider: time);
        for (int i = 0; i < 5; i++)
        {
            await source.EnqueueAsync(Bytes("m" + i));
        }

        var firstPoll = await source.PollAsync(3).ToListAsync();
        await source.CompleteAsync(firstPoll[0], Done);
        var secondPoll = await source.PollAsync(10).ToListAsync();

        firstPoll.Select(m => m.Id).Should().Equal("1", "2", "3");
        secondPoll.Select(m => m.Id).Should().Equal("2", "3", "4", "5");
        secondPoll[0].Should().BeSameAs(firstPoll[1]);
        secondPoll[0].EnqueuedAt.Should().Be(time.GetUtcNow());
        completed.Should().ContainSingle().Which.Item2.Should().BeSameAs(Done);
    }

    [Fact]
    public async Task CompleteAsync_UnknownOrTwice_Throws()
    {
        var source = new InMemoryMessageSource();
        var message = await source.EnqueueAsync(Bytes("a"));
        await source.CompleteAsync(message, Done);

        await FluentActions.Awaiting(async () => await source.CompleteAsync(message, Done)).Should().ThrowAsync<InvalidOperationException>();
        await FluentActions.Awaiting(async () => await source.CompleteAsync(new OutboundMessage("x", Bytes("x")), Done)).Should().ThrowAsync<InvalidOperationException>();
        FluentActions.Invoking(() => new InMemoryMessageSource(0)).Should().Throw<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await source.PollAsync(0).ToListAsync()).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task EnqueueAsync_ConcurrentProducers_IdsFollowQueueOrder()
    {
        var source = new InMemoryMessageSource(capacity: 10_000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                await source.EnqueueAsync(Bytes("m"));
            }
        })));

        var all = await source.PollAsync(int.MaxValue).ToListAsync();
        all.Select(m => int.Parse(m.Id, System.Globalization.CultureInfo.InvariantCulture)).Should().BeInAscendingOrder().And.HaveCount(4000);
    }

    [Fact]
    public void OutboundMessage_Describe_NoContent()
    {
        var message = new OutboundMessage("42", Bytes("MSH|PHI-SENTINEL"), attempts: 2);

        message.ToString().Should().Be("outbound 42 (16 bytes)");
        message.Attempts.Should().Be(2);
        FluentActions.Invoking(() => new OutboundMessage(null!, default)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new OutboundMessage("1", default, attempts: -1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
