namespace Hl7Mllp.Messages;

/// <summary>Where a value sits in the ER7 hierarchy; decides which separator splits it further.</summary>
internal enum Hl7Level : byte
{
    Field,
    Repetition,
    Component,
    Subcomponent,
}
