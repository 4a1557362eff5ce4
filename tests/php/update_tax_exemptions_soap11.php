<?php
// A PHP SoapClient (SOAP 1.1, the service's own WSDL, no options) removing every tax
// exemption of a customer the way PHP code writes it: 'TaxExemptions' => [] (an empty
// array), leaving the SecurityPIN with null, and writing a new Email. Then it reads the
// customer back with Customers_Query.
//
// usage: php update_tax_exemptions_soap11.php SERVER_URL USERNAME PASSWORD CLIENT CUSTOMER_ID
// Prints a JSON summary on stdout: the update's Header, the request PHP sent, and what the
// query read back.

if ($argc != 6) {
    fwrite(STDERR, "usage: php update_tax_exemptions_soap11.php SERVER_URL USERNAME PASSWORD CLIENT CUSTOMER_ID\n");
    exit(2);
}
list(, $serverUrl, $username, $password, $clientCode, $customerId) = $argv;

$out = [];
try {
    $client = new SoapClient($serverUrl . '/v20/default.asmx?WSDL', ['trace' => 1]);
    $credentials = ['Username' => $username, 'Password' => $password, 'Client' => $clientCode];
    $r = $client->Customers_Update(['Request' => [
        'Credentials' => $credentials,
        'Customer' => [
            'ID' => (int)$customerId,
            'SecurityPIN' => null,
            'Email' => 'php.update@example.com',
            'TaxExemptions' => [],
        ],
    ]]);
    $res = $r->Customers_UpdateResult;
    $out['update'] = [
        'success' => $res->Header->Success,
        'error_code' => isset($res->Header->Error_Code) ? $res->Header->Error_Code : null,
        'message' => isset($res->Header->Message) ? $res->Header->Message : null,
    ];
    $out['sent'] = $client->__getLastRequest();

    $r = $client->Customers_Query(['Request' => [
        'Credentials' => $credentials, 'CustomerID' => (int)$customerId,
    ]]);
    $c = $r->Customers_QueryResult->Customer;
    $tax = [];
    if (isset($c->TaxExemptions->string)) {
        $tax = is_array($c->TaxExemptions->string) ? $c->TaxExemptions->string
                                                    : [$c->TaxExemptions->string];
    }
    $out['customer'] = [
        'Email' => $c->Email,
        'SecurityPIN' => isset($c->SecurityPIN) ? $c->SecurityPIN : null,
        'TaxExemptions' => $tax,
    ];
} catch (SoapFault $f) {
    $out['fault'] = ['code' => $f->faultcode, 'string' => $f->faultstring];
}
echo json_encode($out), "\n";
