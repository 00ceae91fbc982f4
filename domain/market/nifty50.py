"""The NIFTY 50 constituents as of the September 2025 rebalance.

Base prices (INR) and share counts are rounded late-2025 magnitudes. They anchor
the demo market and nothing else: no real-data path reads them. NSE reshuffles
the index twice a year, so this list ages; Yahoo resolution does not depend on it.
"""

from __future__ import annotations

from typing import NamedTuple


class Constituent(NamedTuple):
    symbol: str
    name: str
    sector: str
    industry: str
    base_price: float
    shares: int
    aliases: tuple[str, ...] = ()


_BANK = "Banks - Regional"
_IT = "Information Technology Services"
_AUTO = "Auto Manufacturers"
_PHARMA = "Drug Manufacturers - Specialty & Generic"
_FIN = "Financial Services"
_TECH = "Technology"
_CYC = "Consumer Cyclical"
_DEF = "Consumer Defensive"
_MAT = "Basic Materials"
_HC = "Healthcare"
_IND = "Industrials"

# Sector and industry names follow Yahoo's taxonomy so both sources agree.
NIFTY50: tuple[Constituent, ...] = (
    Constituent(
        "ADANIENT",
        "Adani Enterprises Ltd",
        "Energy",
        "Thermal Coal",
        2400,
        1_154_000_000,
        ("adani",),
    ),
    Constituent(
        "ADANIPORTS",
        "Adani Ports and Special Economic Zone Ltd",
        _IND,
        "Marine Shipping",
        1450,
        2_160_000_000,
        ("adani ports",),
    ),
    Constituent(
        "APOLLOHOSP",
        "Apollo Hospitals Enterprise Ltd",
        _HC,
        "Medical Care Facilities",
        7500,
        143_800_000,
        ("apollo hospitals",),
    ),
    Constituent("ASIANPAINT", "Asian Paints Ltd", _MAT, "Specialty Chemicals", 2500, 959_000_000),
    Constituent("AXISBANK", "Axis Bank Ltd", _FIN, _BANK, 1200, 3_100_000_000),
    Constituent("BAJAJ-AUTO", "Bajaj Auto Ltd", _CYC, _AUTO, 8800, 279_000_000, ("bajajauto",)),
    Constituent("BAJFINANCE", "Bajaj Finance Ltd", _FIN, "Credit Services", 1000, 6_210_000_000),
    Constituent(
        "BAJAJFINSV", "Bajaj Finserv Ltd", _FIN, "Insurance - Diversified", 2000, 1_597_000_000
    ),
    Constituent("BEL", "Bharat Electronics Ltd", _IND, "Aerospace & Defense", 400, 7_310_000_000),
    Constituent(
        "BHARTIARTL",
        "Bharti Airtel Ltd",
        "Communication Services",
        "Telecom Services",
        2000,
        6_000_000_000,
        ("airtel",),
    ),
    Constituent("CIPLA", "Cipla Ltd", _HC, _PHARMA, 1500, 808_000_000),
    Constituent("COALINDIA", "Coal India Ltd", "Energy", "Thermal Coal", 390, 6_163_000_000),
    Constituent(
        "DRREDDY",
        "Dr. Reddy's Laboratories Ltd",
        _HC,
        _PHARMA,
        1250,
        834_000_000,
        ("dr reddys", "dr reddy"),
    ),
    Constituent(
        "EICHERMOT",
        "Eicher Motors Ltd",
        _CYC,
        _AUTO,
        7000,
        274_000_000,
        ("eicher", "royal enfield"),
    ),
    Constituent("ETERNAL", "Eternal Ltd", _CYC, "Internet Retail", 300, 9_650_000_000, ("zomato",)),
    Constituent("GRASIM", "Grasim Industries Ltd", _MAT, "Building Materials", 2800, 680_000_000),
    Constituent(
        "HCLTECH", "HCL Technologies Ltd", _TECH, _IT, 1550, 2_714_000_000, ("hcl", "hcl tech")
    ),
    Constituent("HDFCBANK", "HDFC Bank Ltd", _FIN, _BANK, 1000, 15_300_000_000, ("hdfc",)),
    Constituent(
        "HDFCLIFE",
        "HDFC Life Insurance Company Ltd",
        _FIN,
        "Insurance - Life",
        760,
        2_150_000_000,
        ("hdfc life",),
    ),
    Constituent("HINDALCO", "Hindalco Industries Ltd", _MAT, "Aluminum", 800, 2_247_000_000),
    Constituent(
        "HINDUNILVR",
        "Hindustan Unilever Ltd",
        _DEF,
        "Household & Personal Products",
        2450,
        2_350_000_000,
        ("hul",),
    ),
    Constituent("ICICIBANK", "ICICI Bank Ltd", _FIN, _BANK, 1380, 7_130_000_000, ("icici",)),
    Constituent(
        "INDIGO", "InterGlobe Aviation Ltd", _IND, "Airlines", 5800, 387_000_000, ("interglobe",)
    ),
    Constituent("INFY", "Infosys Ltd", _TECH, _IT, 1550, 4_150_000_000),
    Constituent("ITC", "ITC Ltd", _DEF, "Tobacco", 410, 12_500_000_000),
    Constituent(
        "JIOFIN",
        "Jio Financial Services Ltd",
        _FIN,
        "Credit Services",
        310,
        6_350_000_000,
        ("jio financial", "jio finance"),
    ),
    Constituent("JSWSTEEL", "JSW Steel Ltd", _MAT, "Steel", 1150, 2_445_000_000),
    Constituent(
        "KOTAKBANK",
        "Kotak Mahindra Bank Ltd",
        _FIN,
        _BANK,
        2100,
        1_990_000_000,
        ("kotak", "kotak bank"),
    ),
    Constituent(
        "LT",
        "Larsen & Toubro Ltd",
        _IND,
        "Engineering & Construction",
        3900,
        1_375_000_000,
        ("l&t", "larsen"),
    ),
    Constituent(
        "M&M", "Mahindra & Mahindra Ltd", _CYC, _AUTO, 3600, 1_240_000_000, ("mahindra", "mm")
    ),
    Constituent(
        "MARUTI", "Maruti Suzuki India Ltd", _CYC, _AUTO, 16000, 314_000_000, ("maruti suzuki",)
    ),
    Constituent(
        "MAXHEALTH",
        "Max Healthcare Institute Ltd",
        _HC,
        "Medical Care Facilities",
        1150,
        972_000_000,
        ("max healthcare",),
    ),
    Constituent(
        "NESTLEIND", "Nestle India Ltd", _DEF, "Packaged Foods", 1250, 1_930_000_000, ("nestle",)
    ),
    Constituent(
        "NTPC",
        "NTPC Ltd",
        "Utilities",
        "Utilities - Independent Power Producers",
        330,
        9_700_000_000,
    ),
    Constituent(
        "ONGC",
        "Oil and Natural Gas Corporation Ltd",
        "Energy",
        "Oil & Gas Integrated",
        245,
        12_580_000_000,
    ),
    Constituent(
        "POWERGRID",
        "Power Grid Corporation of India Ltd",
        "Utilities",
        "Utilities - Regulated Electric",
        290,
        9_300_000_000,
        ("power grid",),
    ),
    Constituent(
        "RELIANCE",
        "Reliance Industries Ltd",
        "Energy",
        "Oil & Gas Refining & Marketing",
        1500,
        13_530_000_000,
        ("ril",),
    ),
    Constituent(
        "SBILIFE",
        "SBI Life Insurance Company Ltd",
        _FIN,
        "Insurance - Life",
        2000,
        1_000_000_000,
        ("sbi life",),
    ),
    Constituent(
        "SHRIRAMFIN",
        "Shriram Finance Ltd",
        _FIN,
        "Credit Services",
        800,
        1_880_000_000,
        ("shriram",),
    ),
    Constituent(
        "SBIN", "State Bank of India", _FIN, _BANK, 950, 9_230_000_000, ("sbi", "state bank")
    ),
    Constituent(
        "SUNPHARMA",
        "Sun Pharmaceutical Industries Ltd",
        _HC,
        _PHARMA,
        1750,
        2_400_000_000,
        ("sun pharma",),
    ),
    Constituent(
        "TCS",
        "Tata Consultancy Services Ltd",
        _TECH,
        _IT,
        3100,
        3_620_000_000,
        ("tata consultancy",),
    ),
    Constituent(
        "TATACONSUM",
        "Tata Consumer Products Ltd",
        _DEF,
        "Packaged Foods",
        1150,
        990_000_000,
        ("tata consumer",),
    ),
    # Tata Motors' passenger business kept the listing after the October 2025
    # demerger, under a new symbol; the old one stays as an alias.
    Constituent(
        "TMPV",
        "Tata Motors Passenger Vehicles Ltd",
        _CYC,
        _AUTO,
        400,
        3_680_000_000,
        ("tata motors", "tatamotors"),
    ),
    Constituent("TATASTEEL", "Tata Steel Ltd", _MAT, "Steel", 170, 12_480_000_000),
    Constituent("TECHM", "Tech Mahindra Ltd", _TECH, _IT, 1500, 978_000_000),
    Constituent("TITAN", "Titan Company Ltd", _CYC, "Luxury Goods", 3800, 888_000_000),
    Constituent("TRENT", "Trent Ltd", _CYC, "Apparel Retail", 4300, 355_000_000),
    Constituent(
        "ULTRACEMCO",
        "UltraTech Cement Ltd",
        _MAT,
        "Building Materials",
        11800,
        295_000_000,
        ("ultratech",),
    ),
    Constituent("WIPRO", "Wipro Ltd", _TECH, _IT, 245, 10_480_000_000),
)

# The index itself: Yahoo's symbol and a late-2025 level for the demo series.
NIFTY_INDEX_SYMBOL = "^NSEI"
NIFTY_INDEX_BASE_LEVEL = 25_500.0
