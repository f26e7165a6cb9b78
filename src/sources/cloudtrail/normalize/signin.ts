/**
 * ConsoleLogin → `Parapet::CloudTrail::ConsoleLogin` with the outcome and MFA use as plain fields.
 * Failed logins carry `errorMessage: "Failed authentication"` and no `errorCode`, so they arrive here.
 */
import { ownGet } from "../../../util/objects";
import { defined, str } from "./shapes";
import type { NormalizerEntry } from "./types";

export const signinNormalizers: NormalizerEntry[] = [
  {
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    normalize({ record, responseElements, event }, sink) {
      const extra = ownGet(record, "additionalEventData");
      const mfa = ownGet(extra, "MFAUsed");
      sink.emit(
        "Parapet::CloudTrail::ConsoleLogin",
        event.eventId,
        defined({
          Result: str(ownGet(responseElements, "ConsoleLogin")),
          MFAUsed: mfa === "Yes" ? true : mfa === "No" ? false : undefined,
          LoginTo: str(ownGet(extra, "LoginTo")),
          UserType: event.actorType,
          UserName: str(ownGet(ownGet(record, "userIdentity"), "userName")),
        }),
      );
    },
  },
];
