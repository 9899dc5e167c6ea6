#!/usr/bin/perl
# Writes the small MaxMind-format databases that picket's GeoIP tests read.
# Only documentation address space is used (RFC 5737 198.51.100.0/24 and
# 203.0.113.0/24, RFC 3849 2001:db8::/32) with documentation AS numbers
# (RFC 5398: 64496-64511), so the values are known by construction and
# cannot be mistaken for real data.
#
# usage: make_test_mmdb.pl OUTDIR
# Writes OUTDIR/test-city.mmdb     (GeoIP2-City schema: country, city, location)
#        OUTDIR/test-country.mmdb  (ip-location-db schema: a flat country_code)
#        OUTDIR/test-asn.mmdb      (GeoLite2-ASN schema)
#        OUTDIR/test-isp.mmdb      (GeoIP2-ISP schema: isp, organization, ASN)
#        OUTDIR/test-anon.mmdb     (a database of a kind picket does not read)
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $outdir = shift @ARGV or die "usage: $0 OUTDIR\n";

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    isp                            => 'utf8_string',
    organization                   => 'utf8_string',
    country                        => 'map',
    city                           => 'map',
    location                       => 'map',
    names                          => 'map',
    en                             => 'utf8_string',
    iso_code                       => 'utf8_string',
    latitude                       => 'double',
    longitude                      => 'double',
    country_code                   => 'utf8_string',
    is_anonymous                   => 'boolean',
);

sub tree {
    my ($type) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version            => 6,
        record_size           => 24,
        database_type         => $type,
        languages             => ['en'],
        description           => { en => "picket test database ($type)" },
        map_key_type_callback => sub { $types{ $_[0] } or die "no type for key $_[0]\n" },
        # The documentation ranges are reserved: keep them.
        remove_reserved_networks => 0,
        # IPv4 lookups also work through ::ffff:a.b.c.d.
        alias_ipv6_to_ipv4 => 1,
    );
}

sub write_tree {
    my ( $t, $name ) = @_;
    open my $fh, '>:raw', "$outdir/$name" or die "$outdir/$name: $!\n";
    $t->write_tree($fh);
    close $fh or die "$outdir/$name: $!\n";
}

# network => [country code, country name, city, latitude, longitude]
my %places = (
    '198.51.100.0/24' => [ 'DE', 'Germany', 'Berlin', 52.52,   13.405 ],
    '203.0.113.0/24'  => [ 'JP', 'Japan',   'Tokyo',  35.6895, 139.6917 ],
    '2001:db8::/32'   => [ 'FR', 'France',  'Paris',  48.8566, 2.3522 ],
);

my $city = tree('GeoIP2-City');
for my $net ( sort keys %places ) {
    my ( $cc, $cn, $ci, $lat, $lon ) = @{ $places{$net} };
    $city->insert_network(
        $net,
        {
            country  => { iso_code => $cc, names => { en => $cn } },
            city     => { names    => { en => $ci } },
            location => { latitude => $lat, longitude => $lon },
        }
    );
}
write_tree( $city, 'test-city.mmdb' );

# ip-location-db's country databases carry only the ISO code.
my $country = tree('country ipvAll');
for my $net ( sort keys %places ) {
    $country->insert_network( $net, { country_code => $places{$net}[0] } );
}
write_tree( $country, 'test-country.mmdb' );

my $asn = tree('GeoLite2-ASN');
$asn->insert_network( '198.51.100.0/24',
    { autonomous_system_number => 64500, autonomous_system_organization => 'Documentation Net A' } );
$asn->insert_network( '203.0.113.0/24',
    { autonomous_system_number => 64501, autonomous_system_organization => 'Documentation Net B' } );
# A more specific network inside 203.0.113.0/24: longest prefix wins.
$asn->insert_network( '203.0.113.128/25',
    { autonomous_system_number => 64503, autonomous_system_organization => 'Documentation Net D' } );
$asn->insert_network( '2001:db8::/32',
    { autonomous_system_number => 64502, autonomous_system_organization => 'Documentation Net C' } );
write_tree( $asn, 'test-asn.mmdb' );

my $isp = tree('GeoIP2-ISP');
$isp->insert_network(
    '203.0.113.0/24',
    {
        autonomous_system_number       => 64501,
        autonomous_system_organization => 'Documentation Net B',
        isp                            => 'Example Transit ISP',
        organization                   => 'Example Hosting Org',
    }
);
write_tree( $isp, 'test-isp.mmdb' );

my $anon = tree('GeoIP2-Anonymous-IP');
$anon->insert_network( '198.51.100.0/24', { is_anonymous => 1 } );
write_tree( $anon, 'test-anon.mmdb' );
