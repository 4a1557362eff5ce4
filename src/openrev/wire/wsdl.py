"""The WSDL (with complete XSD types) derived from the contract's declarations.

ASMX style, document/literal wrapped: one element per operation (``<Op>`` holding
``<Request>``), one ``<OpResponse>`` holding ``<OpResult>``; a SOAP 1.1 and a SOAP 1.2
binding; the service address is the host the WSDL request came to. Every element is
``minOccurs="0"`` and ``nillable="true"``: which fields are required is the server's rule
(answered with S2010 and the field path), not the client library's.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from ..contract import schema as S
from ..contract.envelope import NAMESPACE
from ..contract.operations import OPERATIONS, all_types

TNS = NAMESPACE
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
HTTP = "http://schemas.xmlsoap.org/soap/http"

SERVICE = "RevAPI"
PORT_TYPE = "RevAPISoap"
_ADDRESS = "urn:openrev:address-placeholder"

_NSMAP = {"wsdl": WSDL, "s": XS, "soap": SOAP, "soap12": SOAP12, "tns": TNS}


def soap_action(op_name: str) -> str:
    """The SOAPAction of an operation: ``http://api.myh2o.com/v20/Op``."""
    return f"{TNS}/{op_name}"


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


class _Schema:
    def __init__(self, root: etree._Element):
        self.root = root
        self.arrays: dict[tuple[str, str], str] = {}
        self.array_names: set[str] = set()

    def type_ref(self, t: object) -> str:
        if isinstance(t, S.ListOf):
            return "tns:" + self.array(t)
        if isinstance(t, S.Enum):
            return "tns:" + t.name
        if isinstance(t, type) and issubclass(t, S.Struct):
            return "tns:" + t.type_name
        assert isinstance(t, S.Primitive), t
        return "s:" + t.xsd.split(":")[1]

    def array(self, t: S.ListOf) -> str:
        item_type = self.type_ref(t.of)
        key = (t.item, item_type)
        if key in self.arrays:
            return self.arrays[key]
        name = "ArrayOf" + t.item[0].upper() + t.item[1:]
        if name in self.array_names:
            name += item_type.split(":")[1]
        if name in self.array_names:  # pragma: no cover - guards future declarations
            raise ValueError(f"cannot name the array type of {key}")
        self.arrays[key] = name
        self.array_names.add(name)
        ct = etree.SubElement(self.root, _q(XS, "complexType"), name=name)
        seq = etree.SubElement(ct, _q(XS, "sequence"))
        el = etree.SubElement(seq, _q(XS, "element"), minOccurs="0", maxOccurs="unbounded",
                              name=t.item, nillable="true", type=item_type)
        del el  # only built
        return name

    def struct(self, cls: type[S.Struct]) -> None:
        ct = etree.SubElement(self.root, _q(XS, "complexType"), name=cls.type_name)
        if cls.__doc__ and cls.__doc__.strip():
            _doc(ct, cls.__doc__.strip().splitlines()[0])
        seq = etree.SubElement(ct, _q(XS, "sequence"))
        for f in cls.__fields__:
            el = etree.SubElement(seq, _q(XS, "element"), minOccurs="0", maxOccurs="1",
                                  name=f.name, nillable="true", type=self.type_ref(f.type))
            if f.doc:
                _doc(el, f.doc + (f" (also accepted: {', '.join(f.aliases)})" if f.aliases else ""))
            for spelling in f.declared:  # the original's spelling, for WSDL-driven clients
                el = etree.SubElement(seq, _q(XS, "element"), minOccurs="0", maxOccurs="1",
                                      name=spelling, nillable="true", type=self.type_ref(f.type))
                _doc(el, f"Same as {f.name} (the original service's spelling; accepted on "
                         f"input, answers use {f.name}).")

    def enum(self, e: S.Enum) -> None:
        st = etree.SubElement(self.root, _q(XS, "simpleType"), name=e.name)
        r = etree.SubElement(st, _q(XS, "restriction"), base="s:string")
        for value in e.values:
            etree.SubElement(r, _q(XS, "enumeration"), value=value)


def _doc(parent: etree._Element, text: str) -> None:
    ann = etree.SubElement(parent, _q(XS, "annotation"))
    etree.SubElement(ann, _q(XS, "documentation")).text = text


def _wrapper(schema_root: etree._Element, name: str, child: str, child_type: str) -> None:
    el = etree.SubElement(schema_root, _q(XS, "element"), name=name)
    seq = etree.SubElement(etree.SubElement(el, _q(XS, "complexType")), _q(XS, "sequence"))
    etree.SubElement(seq, _q(XS, "element"), minOccurs="0", maxOccurs="1", name=child,
                     nillable="true", type=child_type)


@lru_cache(maxsize=1)
def _template() -> bytes:
    defs = etree.Element(_q(WSDL, "definitions"), nsmap=_NSMAP, targetNamespace=TNS)
    types = etree.SubElement(defs, _q(WSDL, "types"))
    schema = etree.SubElement(types, _q(XS, "schema"), elementFormDefault="qualified",
                              targetNamespace=TNS)
    xsd = _Schema(schema)
    for op in OPERATIONS.values():
        _wrapper(schema, op.name, "Request", "tns:" + op.request.type_name)
        _wrapper(schema, op.response_element, op.result_element, "tns:" + op.result.type_name)
    for t in all_types().values():
        if isinstance(t, S.Enum):
            xsd.enum(t)
        else:
            xsd.struct(t)  # type: ignore[arg-type]

    for op in OPERATIONS.values():
        for suffix, element in (("SoapIn", op.name), ("SoapOut", op.response_element)):
            msg = etree.SubElement(defs, _q(WSDL, "message"), name=op.name + suffix)
            etree.SubElement(msg, _q(WSDL, "part"), name="parameters", element="tns:" + element)

    port_type = etree.SubElement(defs, _q(WSDL, "portType"), name=PORT_TYPE)
    for op in OPERATIONS.values():
        o = etree.SubElement(port_type, _q(WSDL, "operation"), name=op.name)
        etree.SubElement(o, _q(WSDL, "documentation")).text = op.doc
        etree.SubElement(o, _q(WSDL, "input"), message=f"tns:{op.name}SoapIn")
        etree.SubElement(o, _q(WSDL, "output"), message=f"tns:{op.name}SoapOut")

    for binding_name, ns in ((PORT_TYPE, SOAP), (PORT_TYPE + "12", SOAP12)):
        b = etree.SubElement(defs, _q(WSDL, "binding"), name=binding_name, type="tns:" + PORT_TYPE)
        etree.SubElement(b, _q(ns, "binding"), transport=HTTP)
        for op in OPERATIONS.values():
            o = etree.SubElement(b, _q(WSDL, "operation"), name=op.name)
            etree.SubElement(o, _q(ns, "operation"), soapAction=soap_action(op.name), style="document")
            for io in ("input", "output"):
                etree.SubElement(etree.SubElement(o, _q(WSDL, io)), _q(ns, "body"), use="literal")

    service = etree.SubElement(defs, _q(WSDL, "service"), name=SERVICE)
    for port_name, ns in ((PORT_TYPE, SOAP), (PORT_TYPE + "12", SOAP12)):
        port = etree.SubElement(service, _q(WSDL, "port"), name=port_name,
                                binding="tns:" + port_name)
        etree.SubElement(port, _q(ns, "address"), location=_ADDRESS)
    return etree.tostring(defs, xml_declaration=True, encoding="utf-8", pretty_print=True)


def wsdl(address: str) -> bytes:
    """The WSDL with the service address set to ``address`` (the endpoint URL)."""
    safe = address.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return _template().replace(_ADDRESS.encode(), safe.encode("utf-8"))
