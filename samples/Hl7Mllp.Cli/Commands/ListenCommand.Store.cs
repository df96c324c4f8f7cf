using System.Globalization;
using System.Runtime.InteropServices;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Cli.Commands;

/// <summary>The minimal durable store of <c>listen --store DIR</c> and the crash-test fault points.</summary>
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

    /// <summary>
    /// A small stand-in for the file store of issue 6: one file per message, <c>yyMMddHHmmssfff_NNNNNN.hl7</c>, named in
    /// the order received. Durable before it returns: written to a <c>.tmp</c> file, flushed to disk, renamed, and the
    /// folder flushed (on Linux) so the rename survives a power cut. Thread-safe.
    /// </summary>
    internal sealed class DurableFileStore : IMessageStore
    {
        private readonly string _directory;
        private readonly TimeProvider _timeProvider;
        private long _sequence;

        public DurableFileStore(string directory, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
        {
            _ = loggerFactory;
            _directory = Path.GetFullPath(directory);
            Directory.CreateDirectory(_directory);
            _timeProvider = timeProvider ?? TimeProvider.System;
        }

        public async ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            long sequence = Interlocked.Increment(ref _sequence);
            string name = string.Create(CultureInfo.InvariantCulture, $"{_timeProvider.GetLocalNow():yyMMddHHmmssfff}_{sequence % 1_000_000:D6}");
            string final = Path.Combine(_directory, name + ".hl7");
            string temporary = Path.Combine(_directory, name + ".tmp");
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(message.Bytes, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, final, overwrite: false);
            FlushDirectory(_directory);
        }

        private static void FlushDirectory(string directory)
        {
            if (!OperatingSystem.IsLinux())
            {
                return;
            }

            int descriptor = NativeMethods.Open(directory, NativeMethods.ReadOnlyDirectory);
            if (descriptor < 0)
            {
                throw new IOException($"Cannot open the store folder to flush it (errno {Marshal.GetLastPInvokeError()}).");
            }

            try
            {
                if (NativeMethods.Fsync(descriptor) != 0)
                {
                    throw new IOException($"Cannot flush the store folder (errno {Marshal.GetLastPInvokeError()}).");
                }
            }
            finally
            {
                _ = NativeMethods.Close(descriptor);
            }
        }
    }

    /// <summary>A store that ends the process at once: the crash point "before the store".</summary>
    private sealed class FailFastStore : IMessageStore
    {
        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Environment.FailFast("HL7MLLP_FAULT=before-store");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// <c>open</c>/<c>fsync</c>/<c>close</c> from libc: .NET cannot open a folder as a file, and a rename is durable
    /// only once its folder is flushed. Classic <c>DllImport</c>, because <c>LibraryImport</c> needs unsafe code.
    /// </summary>
    private static class NativeMethods
    {
        // O_RDONLY | O_DIRECTORY on Linux.
        public const int ReadOnlyDirectory = 0x10000;

#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in the sample.
        [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int descriptor);
#pragma warning restore SYSLIB1054
    }
}
