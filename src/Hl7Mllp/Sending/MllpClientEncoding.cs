namespace Hl7Mllp.Sending;

/// <summary>
/// How <see cref="MllpClient"/> turns message text into bytes. Only the <see cref="string"/> overloads use it: byte
/// overloads are sent exactly as given.
/// </summary>
public enum MllpClientEncoding
{
    /// <summary>
    /// The character set named in MSH-18 (HL7 table 0211, for example <c>8859/1</c> or <c>UNICODE UTF-8</c>);
    /// UTF-8 when MSH-18 is empty or names a set that is not mapped. This is the default. UTF-8 is a superset of
    /// ASCII, the standard's default when MSH-18 is empty, so an ASCII message is sent unchanged.
    /// </summary>
    FromMessage = 0,

    /// <summary>US-ASCII; characters outside it become <c>?</c>.</summary>
    Ascii = 1,

    /// <summary>ISO 8859-1 (Latin-1); characters outside it become <c>?</c>.</summary>
    Latin1 = 2,

    /// <summary>UTF-8.</summary>
    Utf8 = 3,
}
