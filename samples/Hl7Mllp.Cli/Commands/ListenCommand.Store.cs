using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Cli.Commands;

/// <summary>The crash-test fault points of <c>listen</c> (<c>--store DIR</c> uses <see cref="FileMessageStore"/>).</summary>
public static partial class ListenCommand
{
    /// <summary>Where the process fails fast, for crash tests (<c>HL7MLLP_FAULT</c>).</summary>
    internal enum FaultPoint
    {
        None,
        BeforeStore,
        AfterStoreBeforeAck,
    }

    /// <summary>The fault point named by <c>HL7MLLP_FAULT</c>, read once at start.</summary>
    private static readonly FaultPoint Fault = Environment.GetEnvironmentVariable("HL7MLLP_FAULT") switch
    {
        "before-store" => FaultPoint.BeforeStore,
        "after-store-before-ack" => FaultPoint.AfterStoreBeforeAck,
        _ => FaultPoint.None,
    };

    /// <summary>A store that ends the process at once: the crash point "before the store".</summary>
    private sealed class FailFastStore : IMessageStore
    {
        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Environment.FailFast("HL7MLLP_FAULT=before-store");
            return ValueTask.CompletedTask;
        }
    }
}
