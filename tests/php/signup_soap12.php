<?php
// Integration 1 of ORIGINAL-WIRE.md, call for call: a public PHP sign-up client on SOAP 1.2
// whose SoapClient is built from a SAVED local copy of the WSDL (original namespace, another
// host in its service address) with `location` overridden to the server. It signs up a
// customer with NewCustomers_Create (PHP associative arrays, as such clients write them),
// then completes the manually provisioned order the way integrators do: Lines_Update sets
// the line's number, Orders_Update completes the order, Customers_Query by TN checks it.
//
// usage: php signup_soap12.php WSDL SERVER_URL USERNAME PASSWORD CLIENT TN PARENT_CUSTOMER_ID
// (PARENT_CUSTOMER_ID 0 for none: like the public client, it always sends the field.)
// Prints a JSON summary of what it read on stdout, plus each request as sent
// (__getLastRequest), so that the caller can check which elements PHP put on the wire.

if ($argc != 8) {
    fwrite(STDERR, "usage: php signup_soap12.php WSDL SERVER_URL USERNAME PASSWORD CLIENT TN PARENT_CUSTOMER_ID\n");
    exit(2);
}
list(, $wsdl, $serverUrl, $username, $password, $clientCode, $tn, $parentId) = $argv;

$out = ['steps' => [], 'sent' => []];

function first($v) {
    // PHP gives a scalar/object for one item and an array for several.
    return is_array($v) ? $v[0] : $v;
}

function header_of($res) {
    $h = $res->Header;
    return [
        'Success' => $h->Success == '1',
        'Error_Code' => isset($h->Error_Code) ? $h->Error_Code : null,
        'Message' => isset($h->Message) ? $h->Message : null,
    ];
}

$step = 'construct';
$client = null;
try {
    $client = new SoapClient($wsdl, [
        'soap_version' => SOAP_1_2,
        'location' => $serverUrl . '/v20/default.asmx',
        'trace' => 1,
        'exceptions' => true,
        'cache_wsdl' => WSDL_CACHE_NONE,
    ]);

    $step = 'Sessions_Create';
    $r = $client->Sessions_Create(['Request' => ['Credentials' => [
        'Username' => $username, 'Password' => $password, 'Client' => $clientCode,
    ]]]);
    $out['sent'][$step] = $client->__getLastRequest();
    $res = $r->Sessions_CreateResult;
    $out['steps'][$step] = header_of($res);
    if ($res->Header->Success != '1') { throw new Exception('login failed'); }
    $session = ['SessionKey' => $res->SessionKey];

    $address = [
        'FirstName' => 'Maria', 'LastName' => 'Lopez', 'Address1' => '220 W Garden St',
        'Address2' => '', 'City' => 'Pensacola', 'State' => 'FL', 'Zip' => '32502',
        'Country' => 'USA',
    ];
    $customer = [
        'CustomerClass' => 'Residential',
        'ParentCustomerID' => (int)$parentId,
        'PhysicalAddress' => $address,
        'MailingAddress' => $address,
        'Billing' => [
            'Balance' => 0, 'Due' => 0, 'OverDue' => 0, 'UnbilledUsage' => 0,
            'UsageBalanceLimit' => 0, 'EnableBalanceLimit' => false,
            'PaymentTermsOverride' => false, 'PaymentTerms' => 30,
        ],
    ];

    $step = 'NewCustomers_Create';
    $r = $client->NewCustomers_Create(['Request' => [
        'Session' => $session,
        'Customer' => $customer,
        'Order' => [
            // the documents make CompanyName "Required" in Order/ShippingAddress
            'ShippingAddress' => $address + ['CompanyName' => 'Maria Lopez'],
            'MailingAddress' => $address,
            'Description' => 'Web sign-up',
            'TN' => '',
            'PackageID' => 1003,
            'AdditionalProducts' => ['Product' => [['ProductID' => 2004, 'Quantity' => 1]]],
        ],
    ]]);
    $out['sent'][$step] = $client->__getLastRequest();
    $res = $r->NewCustomers_CreateResult;
    $out['steps'][$step] = header_of($res);
    if ($res->Header->Success != '1') { throw new Exception('sign-up failed'); }
    $customerId = $res->Customer_ID;
    $line = first($res->Lines->Line);
    $order = first($res->Orders->Order);
    $out['steps'][$step] += [
        'Customer_ID' => $customerId, 'Line' => $line, 'Order' => $order,
        'Status' => $res->Status,
    ];

    $step = 'Lines_Update';
    $r = $client->Lines_Update(['Request' => [
        'Session' => $session,
        'Line_ID' => $line,
        'Number' => ['Updated' => true, 'Value' => $tn],
    ]]);
    $out['sent'][$step] = $client->__getLastRequest();
    $res = $r->Lines_UpdateResult;
    $out['steps'][$step] = header_of($res);
    if ($res->Header->Success != '1') { throw new Exception('line update failed'); }

    $step = 'Orders_Update';
    $r = $client->Orders_Update(['Request' => [
        'Session' => $session,
        'OrderID' => $order,
        'Status' => 'COMPLETE',
        'StatusNote' => 'activated',
        'CompletionDate' => '2026-11-23T10:00:00',
    ]]);
    $out['sent'][$step] = $client->__getLastRequest();
    $res = $r->Orders_UpdateResult;
    $out['steps'][$step] = header_of($res);
    if ($res->Header->Success != '1') { throw new Exception('order update failed'); }

    $step = 'Customers_Query';
    $r = $client->Customers_Query(['Request' => ['Session' => $session, 'TN' => $tn]]);
    $out['sent'][$step] = $client->__getLastRequest();
    $res = $r->Customers_QueryResult;
    $out['steps'][$step] = header_of($res);
    if ($res->Header->Success != '1') { throw new Exception('query failed'); }
    $c = $res->Customer;
    $tns = [];
    $items = $c->Services->ServiceItem;
    foreach ((is_array($items) ? $items : [$items]) as $item) {
        $tns[] = $item->Service->TN;
    }
    $out['steps'][$step] += [
        'ID' => $c->ID,
        'Status' => $c->Status,
        'ParentAccountID' => isset($c->ParentAccountID) ? $c->ParentAccountID : null,
        'TN' => $tns,
    ];
    $out['done'] = true;
} catch (SoapFault $f) {
    $out['failed'] = $step;
    $out['fault'] = ['code' => $f->faultcode, 'string' => $f->faultstring];
} catch (Exception $e) {
    $out['failed'] = $step;
}
if (isset($out['failed']) && $client !== null) {
    $out['last_request'] = $client->__getLastRequest();
    $out['last_response'] = $client->__getLastResponse();
}
echo json_encode($out), "\n";
