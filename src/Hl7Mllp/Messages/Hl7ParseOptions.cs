using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>How <see cref="Hl7Message"/> decodes text. Structure is always found on bytes; text is decoded only when asked.</summary>
public sealed class Hl7ParseOptions
{
    /// <summary>The options used when none are given: the encoding from MSH-18, UTF-8 when MSH-18 is empty or unknown.</summary>
    internal static readonly Hl7ParseOptions Default = new();

    /// <summary>
    /// Gets or sets the text encoding of every message (the connection's encoding, e.g. <see cref="Encoding.ASCII"/>,
    /// <see cref="Encoding.Latin1"/> or <see cref="Encoding.UTF8"/>), or <see langword="null"/> to take it from MSH-18
    /// (table 0211, see <see cref="Hl7CharacterSets"/>). Default: <see langword="null"/>.
    /// </summary>
    public Encoding? Encoding { get; set; }

    /// <summary>
    /// Gets or sets the encoding used when <see cref="Encoding"/> is <see langword="null"/> and MSH-18 is empty or names a
    /// character set .NET cannot decode. Default: UTF-8, which reads ASCII unchanged and is what most senders that leave
    /// MSH-18 empty actually send.
    /// </summary>
    public Encoding FallbackEncoding { get; set; } = Encoding.UTF8;
}
