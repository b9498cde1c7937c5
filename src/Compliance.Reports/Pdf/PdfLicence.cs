using Compliance.Core;
using PdfSharp;

namespace Compliance.Reports.Pdf;

/// <summary>
/// PDFsharp 6 refuses to write until a licence is loaded. The setting (the --pdf-license option, else the
/// COMPLIANCE_PDF_LICENSE environment variable) is "agpl", PDFsharp's free AGPL-3.0 terms and the default, or the
/// path of a file holding a commercial licence key.
/// </summary>
public static class PdfLicence
{
    public const string EnvironmentVariable = "COMPLIANCE_PDF_LICENSE";
    public const string Agpl = "agpl";

    /// <summary>Loads the licence named by <paramref name="setting"/>, or by the environment when it is null.</summary>
    public static void Apply(string? setting)
    {
        var value = setting ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value, Agpl, StringComparison.OrdinalIgnoreCase))
        {
            PdfSharpLicense.SetAgplLicense();
            return;
        }
        if (!File.Exists(value))
            throw new ComplianceException($"PDF licence '{value}' is neither '{Agpl}' nor a licence key file (set by --pdf-license or {EnvironmentVariable}).", FailureKind.Usage);
        try
        {
            PdfSharpLicense.LoadLicense(File.ReadAllText(value).Trim());
        }
        catch (Exception e) when (e is not ComplianceException)
        {
            throw new ComplianceException($"PDF licence key in {value} was not accepted by PDFsharp: {e.Message}", FailureKind.Usage, e);
        }
    }
}
