using Compliance.Core;

namespace Compliance.Ntfs;

/// <summary>
/// The bytes are not NTFS as expected: a bad signature, a length or offset outside its structure, a truncated image.
/// Reported as an input-format error (exit code 2), one line, naming where the problem is.
/// </summary>
public sealed class NtfsFormatException(string message) : ComplianceException(message, FailureKind.Usage);
