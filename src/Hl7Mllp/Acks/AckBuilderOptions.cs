namespace Hl7Mllp.Acks;

/// <summary>How <see cref="AckBuilder"/> writes ACKs: the seed's receiver settings "ACK MSH Template", "ACK Time Zone" and "ACK ERR Template".</summary>
/// <remarks>Templates are written with the standard delimiters <c>|^~\&amp;</c>; they are translated to the received message's delimiters per ACK.</remarks>
public sealed class AckBuilderOptions
{
    /// <summary>
    /// The ERR template used for v2.5 and later when <see cref="ErrTemplate"/> is <see langword="null"/>: the seed's v2.7
    /// example (<c>ERR||%sid^%q^%f^%c^%s|%code|E|||||%text</c>) brought in line with the standard: ERR-2 in ERL order
    /// (segment^sequence^field^repetition^component^subcomponent), the error's own severity in ERR-4 and the text in
    /// ERR-8 (user message; the seed's example puts it in ERR-9). Configure the seed's text as <see cref="ErrTemplate"/>
    /// to get its exact form.
    /// </summary>
    public const string V25ErrTemplate = "ERR||%sid^%q^%f^%r^%c^%s|%code|%sev||||%text";

    /// <summary>The ERR template used before v2.5 when <see cref="ErrTemplate"/> is <see langword="null"/>: one ERR-1 repetition per error (the v2.3 form).</summary>
    public const string V23ErrTemplate = "ERR|%sid^%q^%f^%code&%text";

    /// <summary>
    /// Gets or sets the MSH segment every ACK starts with, e.g. <c>MSH|^~\&amp;|LAB|HOSP|||||ACK||P|2.5.1</c>. MSH-7 (time),
    /// MSH-10 (control ID) and MSH-9.2 (the received trigger event) are filled per ACK; an empty MSH-11 or MSH-12 is copied
    /// from the received message; everything else is written as configured. Default <see langword="null"/>: the received
    /// MSH is copied with sender and receiver swapped (see <c>docs/acks.md</c> for what is copied).
    /// </summary>
    public string? MshTemplate { get; set; }

    /// <summary>
    /// Gets or sets whether MSH-7 carries the local UTC offset (<c>20250101120000+0100</c>) rather than the bare local time
    /// (<c>20250101120000</c>). Default <see langword="false"/>.
    /// </summary>
    public bool IncludeTimeZone { get; set; }

    /// <summary>
    /// Gets or sets the ERR segment written once per error, with replacements <c>%code</c> (table 0357 code),
    /// <c>%text</c>, <c>%sid</c> (segment ID), <c>%q</c> (segment sequence), <c>%f</c> (field), <c>%c</c> (component),
    /// <c>%s</c> (subcomponent), <c>%r</c> (repetition) and <c>%sev</c> (severity letter, table 0516). Values are escaped;
    /// a zero index is written empty. A template with only ERR-1 (no second field separator) writes one ERR whose ERR-1
    /// repeats once per error. Default <see langword="null"/>: <see cref="V25ErrTemplate"/> for v2.5 and later (and when
    /// MSH-12 is empty or unreadable), <see cref="V23ErrTemplate"/> before. An empty string writes no ERR segment.
    /// </summary>
    public string? ErrTemplate { get; set; }

    /// <summary>
    /// Gets or sets whether MSA-3 (text message) carries the first error's text. Default <see langword="null"/>: only for
    /// versions before v2.5, where MSA-3 is not yet deprecated (as HAPI does).
    /// </summary>
    public bool? WriteMsaText { get; set; }
}
