"""The Standards' request and response envelope: Credentials/Session/Debug in, Header out."""

from __future__ import annotations

from .schema import Bool, F, String, Struct

NAMESPACE = "http://api.myh2o.com/v20"
"""The original service's XML namespace (ORIGINAL-WIRE.md): the WSDL targetNamespace, the
namespace of every body element and, with ``/Op`` appended, the SOAPAction."""


class Credentials(Struct):
    Username = F(String, "A valid login username.")
    Password = F(String, "Password for Username.", secret=True)
    Client = F(String, "Client_Code of the system you are seeking to access.")
    ImpersonationKey = F(String, "Optional - used for impersonating another user.", secret=True)


class Session(Struct):
    SessionKey = F(String, "Key returned by Sessions_Create or by any authenticated answer.",
                   secret=True)


class RequestBase(Struct):
    """Fields available on every request. Either Credentials or Session is required."""

    Credentials = F(Credentials, "Credentials (Username, Password, Client, ImpersonationKey).")
    Session = F(Session, "Session (SessionKey).")
    Debug = F(Bool, "Whether to add debug information to the response.")


class Header(Struct):
    """In the original's order, which clients generated from its WSDL depend on."""

    Success = F(Bool, "Whether the Request was processed successfully.")
    Message = F(String, "Additional information about the Error when applicable.")
    SessionKey = F(String, "Returned for any request in which authentication was successful.")
    Impersonated = F(Bool, "The Session is impersonating another User (ImpersonationKey).")
    Error_Code = F(String, "Standardized Error Code as defined in the Error Codes section.")
    Error_Description = F(String, "Standardized description of the Error Code provided.")


class ResultBase(Struct):
    """Fields on every response: Header, the operation's outputs, then Debug."""

    Header = F(Header, "Standard response header.")
