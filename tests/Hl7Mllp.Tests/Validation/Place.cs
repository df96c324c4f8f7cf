using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Validation;

/// <summary>Where an <see cref="Hl7Error"/> points, as one comparable value for assertions.</summary>
internal readonly record struct Place(string SegmentId, int Sequence = 0, int Field = 0, int Repetition = 0, int Component = 0, int Subcomponent = 0)
{
    public static Place None { get; } = new(string.Empty);

    public static Place Of(Hl7Error error) =>
        new(error.SegmentId, error.Sequence, error.Field, error.Repetition, error.Component, error.Subcomponent);
}

/// <summary>Builds expected errors and reads their places.</summary>
internal static class Finding
{
    public static Hl7Error Of(Hl7ErrorCode code, string text, Place at, Hl7Severity severity = Hl7Severity.Error) =>
        new(code, text)
        {
            Severity = severity,
            SegmentId = at.SegmentId,
            Sequence = at.Sequence,
            Field = at.Field,
            Repetition = at.Repetition,
            Component = at.Component,
            Subcomponent = at.Subcomponent,
        };

    public static Place Place(this Hl7Error error) => Validation.Place.Of(error);
}
