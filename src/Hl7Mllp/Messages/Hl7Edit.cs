namespace Hl7Mllp.Messages;

/// <summary>One value to set when <see cref="Hl7MessageBuilder.WriteEdited"/> copies a message.</summary>
/// <param name="Key">Where the value goes; the field, repetition, component or subcomponent is created when absent.</param>
/// <param name="Value">The new value.</param>
/// <param name="IsRaw"><see langword="true"/> when <paramref name="Value"/> is written as it stands (it may contain the message's
/// separators, e.g. <c>ACK^A01^ACK</c>); <see langword="false"/> (the default) to escape it.</param>
public readonly record struct Hl7Edit(Hl7Key Key, string Value, bool IsRaw = false)
{
    /// <summary>Creates an edit that sets an escaped value.</summary>
    /// <param name="key">The key, e.g. <c>MSH.14</c>.</param>
    /// <param name="value">The text; delimiters in it are escaped.</param>
    /// <returns>The edit.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid key.</exception>
    public static Hl7Edit Set(string key, string value) => new(Hl7Key.Parse(key), value);

    /// <summary>Creates an edit that sets a value as it stands.</summary>
    /// <param name="key">The key, e.g. <c>MSH.9</c>.</param>
    /// <param name="raw">The value in the message's delimiters, written unescaped.</param>
    /// <returns>The edit.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid key.</exception>
    public static Hl7Edit SetRaw(string key, string raw) => new(Hl7Key.Parse(key), raw, true);
}
