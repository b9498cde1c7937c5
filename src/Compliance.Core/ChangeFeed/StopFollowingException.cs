namespace Compliance.Core.ChangeFeed;

/// <summary>
/// Thrown from a reconcile hook (<see cref="Reconcile.Reconciler.ComparingWith"/>) to end a follow on purpose, not
/// because something failed: the watch run is recorded as completed, with the message as its detail, and the
/// exception then reaches whoever started the follow.
/// </summary>
public class StopFollowingException(string message) : Exception(message);
