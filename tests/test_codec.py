"""The codec keeps the three states of a request element, and reads values leniently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openrev.contract.operations import (
    Customers_UpdateRequest, CustomerInfo, Customers_QueryResult, NewCustomers_CreateRequest,
)
from openrev.contract.schema import State
from openrev.contract.types import Address
from openrev.wire import jsoncodec
from openrev.wire.xmlcodec import DecodeReport, decode, encode_fields
from openrev.wire.xmltree import XmlError, parse


def xml_decode(inner: str, cls=Customers_UpdateRequest):
    report = DecodeReport()
    node = parse(f'<Request xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{inner}</Request>'
                 .encode())
    return decode(node, cls, "", report), report


def test_three_states_in_xml():
    req, report = xml_decode(
        "<Customer><ID>5</ID><SecurityPIN /><Email></Email><Language xsi:nil='true'/>"
        "<DL>  </DL><AgentID></AgentID><DOB></DOB>"
        "<PhysicalAddress><FirstName>Test</FirstName><LastName/></PhysicalAddress>"
        "<MailingAddress/><TaxExemptions></TaxExemptions></Customer>")
    c = req.Customer
    assert report.invalid == [] and report.unknown == []
    assert c.ID == 5
    assert c.state("SecurityPIN") is State.EMPTY and c.SecurityPIN is None
    assert c.state("Email") is State.WRITTEN and c.Email == ""
    assert c.state("Language") is State.EMPTY
    assert c.DL == "  "
    assert c.state("AgentID") is State.WRITTEN and c.AgentID == 0
    assert c.state("DOB") is State.WRITTEN and c.DOB is None  # written empty: clear the date
    assert c.state("Source") is State.ABSENT
    assert c.PhysicalAddress.FirstName == "Test"
    assert c.PhysicalAddress.state("LastName") is State.EMPTY
    assert c.PhysicalAddress.state("City") is State.ABSENT
    assert c.state("MailingAddress") is State.EMPTY
    assert c.state("TaxExemptions") is State.WRITTEN and c.TaxExemptions == []


def test_self_closing_detection_survives_attributes_with_slashes_and_gt():
    req, _ = xml_decode("<Customer><Email a='x/>y' /><DL b=\"/\"></DL></Customer>")
    assert req.Customer.state("Email") is State.EMPTY
    assert req.Customer.state("DL") is State.WRITTEN


def test_three_states_in_json():
    report = DecodeReport()
    req = jsoncodec.decode({"Customer": {"ID": 5, "SecurityPIN": None, "Email": "",
                                         "AgentID": "", "TaxExemptions": []}},
                           Customers_UpdateRequest, "", report)
    c = req.Customer
    assert c.state("SecurityPIN") is State.EMPTY
    assert c.state("Email") is State.WRITTEN and c.Email == ""
    assert c.state("AgentID") is State.WRITTEN and c.AgentID == 0
    assert c.state("DL") is State.ABSENT
    assert c.TaxExemptions == []


def test_lenient_values_and_both_spellings():
    req, report = xml_decode(
        "<Customer><BIllProfileID>2</BIllProfileID><ContactEnd>2025-01-31T00:00:00</ContactEnd>"
        "<PARENTCUSTOMERID>7</PARENTCUSTOMERID><LifeLine><Tribal>1</Tribal>"
        "<TemporaryAddress>FALSE</TemporaryAddress><Status>approved</Status>"
        "<AnnualIncome>12345.678</AnnualIncome></LifeLine><DOB>1980-02-03Z</DOB>"
        "<BillMethod>email_only</BillMethod></Customer>")
    c = req.Customer
    assert report.invalid == []
    assert c.BillProfileID == 2
    assert c.ContractEnd == dt.date(2025, 1, 31)
    assert c.ParentAccountID == 7
    assert c.Lifeline.Tribal is True and c.Lifeline.TemporaryAddress is False
    assert c.Lifeline.Status == "APPROVED"
    assert c.Lifeline.AnnualIncome == Decimal("12345.678")
    assert c.DOB == dt.date(1980, 2, 3)
    assert c.BillMethod == "EMAIL_ONLY"


def test_invalid_values_are_reported_with_their_paths():
    req, report = xml_decode(
        "<Customer><ID>x</ID><DOB>31/12/1980</DOB><BillMethod>FAX</BillMethod>"
        "<Lifeline><Tribal>maybe</Tribal></Lifeline><Email><b>1</b></Email></Customer>")
    paths = dict(report.invalid)
    assert paths["Customer/ID"] == "must be a whole number"
    assert paths["Customer/DOB"] == "must be a date (YYYY-MM-DD)"
    assert paths["Customer/BillMethod"].startswith("must be one of PRINT_ONLY")
    assert paths["Customer/Lifeline/Tribal"] == "must be true, false, 1 or 0"
    assert paths["Customer/Email"] == "must be a simple value, not a structure"


def test_unknown_elements_are_reported_not_fatal():
    req, report = xml_decode("<Customer><ID>1</ID><Billing><OverDue>1</OverDue><Whatever/>"
                             "</Billing></Customer><Order><TN>1</TN><Frob/></Order>",
                             NewCustomers_CreateRequest)
    # Billing/OverDue is the original's spelling of Overdue: known (and declared in the WSDL).
    assert req.Customer.Billing.Overdue == Decimal(1)
    assert req.Order.TN == "1"
    assert report.unknown == ["Customer/ID", "Customer/Billing/Whatever", "Order/Frob"]


def test_encoder_escapes_and_skips_none():
    out: list[str] = []
    res = Customers_QueryResult(Customer=CustomerInfo(
        ID=1, Email="a&b<c>", PhysicalAddress=Address(City="X\x01Y\rZ"),
        TaxExemptions=["State"], Fields=[]))
    encode_fields(res, out)
    text = "".join(out)
    assert "<Email>a&amp;b&lt;c&gt;</Email>" in text
    assert "<City>XY&#13;Z</City>" in text
    assert "<TaxExemptions><string>State</string></TaxExemptions>" in text
    assert "<Fields></Fields>" in text
    assert "AcctNum" not in text


def test_xml_refuses_dtds_and_bounds_depth():
    with pytest.raises(XmlError, match="DTD"):
        parse(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    with pytest.raises(XmlError, match="nested deeper"):
        parse(b"<a>" * 100 + b"</a>" * 100)
    with pytest.raises(XmlError, match="not well-formed"):
        parse(b"<a>&undefined;</a>")


def test_secrets_never_in_repr():
    req, _ = xml_decode("<Customer><ID>1</ID><SSN>123-45-6789</SSN><SecurityPIN>1234</SecurityPIN>"
                        "</Customer>")
    text = repr(req)
    assert "123-45-6789" not in text and "1234" not in text
    assert "ID=1" in text


def test_a_list_written_as_an_empty_tag_is_an_empty_list_and_nil_leaves_it():
    req, report = xml_decode("<Customer><TaxExemptions/><Fields xsi:nil='true'/></Customer>")
    c = req.Customer
    assert report.invalid == []
    assert c.state("TaxExemptions") is State.WRITTEN and c.TaxExemptions == []
    assert c.state("Fields") is State.EMPTY and c.Fields is None
