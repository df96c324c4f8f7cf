namespace Hl7Mllp.Duplicates;

/// <summary>Which MSH fields make up the key an <see cref="InMemoryDuplicateTracker"/> recognises a message by.</summary>
public enum DuplicateKeyMode
{
    /// <summary>MSH-3 (sending application), MSH-4 (sending facility) and MSH-10 (control ID): two senders may reuse each other's control IDs. The default.</summary>
    SenderAndControlId = 0,

    /// <summary>MSH-10 alone, as the seed service does: any two messages with the same control ID are duplicates.</summary>
    ControlIdOnly = 1,
}
