using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;

namespace Hl7Mllp.Tests.Storage;

/// <summary>Small HL7 messages for the file store and file source tests.</summary>
internal static class FileStorageTestData
{
    public static byte[] MessageBytes(string controlId, string type = "ADT^A01") =>
        Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|SFAC|RCV|RFAC|20261125120000||{type}|{controlId}|P|2.5\rPID|1||{controlId}-MRN\r");

    public static ReceivedMessage Received(string controlId) =>
        Received(MessageBytes(controlId));

    public static ReceivedMessage Received(byte[] bytes) =>
        new(Hl7Message.Parse(bytes), DateTimeOffset.UnixEpoch);

    public static string Batch(params string[] controlIds) =>
        "FHS|^~\\&|SND\rBHS|^~\\&|SND\r" + string.Concat(controlIds.Select(id => Encoding.ASCII.GetString(MessageBytes(id)))) + $"BTS|{controlIds.Length}\rFTS|1\r";
}
