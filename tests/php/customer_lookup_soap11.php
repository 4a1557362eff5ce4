<?php
// Integration 2 of ORIGINAL-WIRE.md, call for call: a public PHP client on SOAP 1.1 that
// builds its SoapClient from the service's own WSDL with NO options, authenticates with
// Credentials (Sessions_Create), then queries a customer with Session + CustomerID.
// A bad login is recognised by Header->Error_Code == "S2005"; other failures show
// Header->Message.
//
// usage: php customer_lookup_soap11.php SERVER_URL USERNAME PASSWORD CLIENT CUSTOMER_ID
// Prints a JSON summary of what it read on stdout (exit 0 whenever the calls were made).

if ($argc != 6) {
    fwrite(STDERR, "usage: php customer_lookup_soap11.php SERVER_URL USERNAME PASSWORD CLIENT CUSTOMER_ID\n");
    exit(2);
}
list(, $serverUrl, $username, $password, $clientCode, $customerId) = $argv;

$out = [];
try {
    $client = new SoapClient($serverUrl . '/v20/default.asmx?WSDL');

    $r = $client->Sessions_Create(['Request' => ['Credentials' => [
        'Username' => $username, 'Password' => $password, 'Client' => $clientCode,
    ]]]);
    $res = $r->Sessions_CreateResult;
    if ($res->Header->Error_Code == "S2005") {
        $out['login'] = 'bad_login';
        $out['error_code'] = $res->Header->Error_Code;
        $out['message'] = $res->Header->Message;
        $out['success'] = $res->Header->Success;
        echo json_encode($out), "\n";
        exit(0);
    }
    if (!$res->Header->Success) {
        $out['login'] = 'error';
        $out['message'] = $res->Header->Message;
        echo json_encode($out), "\n";
        exit(0);
    }
    $out['login'] = 'ok';
    $out['session_key'] = $res->SessionKey;
    $out['header_session_key'] = $res->Header->SessionKey;
    $sessionKey = $res->SessionKey;

    $r = $client->Customers_Query(['Request' => [
        'Session' => ['SessionKey' => $sessionKey],
        'CustomerID' => (int)$customerId,
    ]]);
    $res = $r->Customers_QueryResult;
    $out['query_success'] = $res->Header->Success;
    if (!$res->Header->Success) {
        $out['query_error_code'] = $res->Header->Error_Code;
        $out['query_message'] = $res->Header->Message;
        echo json_encode($out), "\n";
        exit(0);
    }
    $out['query_session_key'] = $res->Header->SessionKey;
    $c = $res->Customer;
    // Services: PHP gives an object for one item and an array for several.
    $items = [];
    if (isset($c->Services->ServiceItem)) {
        $items = is_array($c->Services->ServiceItem) ? $c->Services->ServiceItem
                                                      : [$c->Services->ServiceItem];
    }
    $services = [];
    foreach ($items as $item) {
        $products = [];
        if (isset($item->Products->Product)) {
            $ps = is_array($item->Products->Product) ? $item->Products->Product
                                                     : [$item->Products->Product];
            foreach ($ps as $p) {
                $products[] = ['ProductID' => $p->ProductID, 'Description' => $p->Description,
                               'Rate' => $p->Rate, 'Status' => $p->Status];
            }
        }
        $services[] = [
            'ID' => $item->Service->ID,
            'TN' => $item->Service->TN,
            'Type' => $item->Service->Type,
            'CarrierDescription' => $item->Service->CarrierDescription,
            'PackageID' => $item->Service->PackageID,
            'Products' => $products,
        ];
    }
    $out['customer'] = [
        'ID' => $c->ID,
        'AcctNum' => $c->AcctNum,
        'Status' => $c->Status,
        'CustomerClass' => $c->CustomerClass,
        'BillMethod' => $c->BillMethod,
        'FirstName' => $c->PhysicalAddress->FirstName,
        'LastName' => $c->PhysicalAddress->LastName,
        'Address1' => $c->PhysicalAddress->Address1,
        'City' => $c->PhysicalAddress->City,
        'State' => $c->PhysicalAddress->State,
        'Zip' => $c->PhysicalAddress->Zip,
        'MailingCity' => $c->MailingAddress->City,
        'Email' => $c->Email,
        'DOB' => $c->DOB,
        'Billing' => [
            'Balance' => $c->Billing->Balance,
            'Due' => $c->Billing->Due,
            'PaymentTerms' => $c->Billing->PaymentTerms,
            'PaymentTermsOverride' => $c->Billing->PaymentTermsOverride,
        ],
        'Services' => $services,
    ];
} catch (SoapFault $f) {
    $out['fault'] = ['code' => $f->faultcode, 'string' => $f->faultstring];
}
echo json_encode($out), "\n";
