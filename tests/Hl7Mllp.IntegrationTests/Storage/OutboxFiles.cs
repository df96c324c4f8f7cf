using System.Text;

namespace Hl7Mllp.IntegrationTests.Storage;

/// <summary>Input files for <c>hl7mllp transmit</c> tests: one small ADT^A01 per control ID, oldest first.</summary>
internal static class OutboxFiles
{
    /// <summary>Creates <paramref name="outbox"/> and writes <c>ID.hl7</c> for each ID, modified ten minutes ago plus one second per file, so they sort in order and are settled.</summary>
    public static void Write(string outbox, IReadOnlyList<string> controlIds)
    {
        Directory.CreateDirectory(outbox);
        for (int i = 0; i < controlIds.Count; i++)
        {
            string path = Path.Join(outbox, controlIds[i] + ".hl7");
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|SFAC|RCV|RFAC|20261126120000||ADT^A01|{controlIds[i]}|P|2.5\rPID|1||{i}\r"));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-10).AddSeconds(i));
        }
    }
}
