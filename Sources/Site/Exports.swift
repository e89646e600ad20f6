// Site's public API speaks in Support's types (Diagnostic, SourceLocation).
@_exported import Support
