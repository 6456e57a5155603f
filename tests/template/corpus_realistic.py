"""Realistic SMS templates, as process modellers write them, for the differential test.

Each case is (template, data model name). Many are typed as they would be in a BPMN input
mapping: one directive a line, indented, with the closing tags indented too.
"""

from __future__ import annotations

from typing import Any

ORDER: dict[str, Any] = {
    "customer": {"firstName": "Ann", "lastName": "Lee", "title": None, "vip": True},
    "orderId": 1042,
    "items": [
        {"name": "Green tea", "qty": 2, "price": 4.35},
        {"name": "Cheese cake", "qty": 1, "price": 12.5},
        {"name": "Jam", "qty": 3, "price": 0.99},
    ],
    "total": 24.17,
    "shipping": 4.9,
    "currency": "EUR",
    "shipDate": "2024-01-05",
    "express": True,
    "trackingUrl": "https://track.example.com/p/ABC123",
    "trackingCode": "ABC123",
    "note": None,
    "coupon": "",
    "tags": ["gift", "fragile"],
    "store": {"name": "Corner Shop", "phone": "+41 44 123 45 67"},
}
EMPTY_ORDER: dict[str, Any] = {
    "customer": {"firstName": "bob"},
    "orderId": 7,
    "items": [],
    "total": 0,
    "express": False,
    "tags": [],
}
APPOINTMENT: dict[str, Any] = {
    "patient": {"name": "maria garcia", "firstName": "Maria"},
    "doctor": "Dr. Smith",
    "start": "2024-03-14T09:30:00Z",
    "date": "2024-03-14",
    "time": "09:30",
    "localDate": "14.03.2024",
    "location": "Main St 5, Room 12",
    "durationMinutes": 45,
    "reminderHours": 24,
    "confirmed": False,
    "bring": ["insurance card", "ID", "previous reports"],
    "rescheduleUrl": "https://clinic.example.com/r?id=77&lang=en",
}
OTP: dict[str, Any] = {
    "code": "482913",
    "minutes": 10,
    "app": "ACME Bank",
    "attempts": 2,
    "maxAttempts": 5,
    "device": None,
}
INVOICE: dict[str, Any] = {
    "invoice": {
        "number": "INV-2024-0042",
        "amount": 1234.5,
        "vatRate": 0.19,
        "due": "2024-02-01",
        "paid": 200,
        "lines": [
            {"text": "Consulting", "hours": 7.5, "rate": 120},
            {"text": "Travel", "hours": 1, "rate": 45.5},
        ],
    },
    "amount": 4.35,
    "balance": 12345.5,
    "fee": 0.5,
    "discountPct": 15,
    "rate": 0.075,
    "overdueDays": 3,
    "customerName": "Müller AG",
}
DELIVERY: dict[str, Any] = {
    "parcels": 3,
    "window": {"from": "10:00", "to": "12:00"},
    "courier": "DHL",
    "stops": ["Depot", "Hub", "Your door"],
    "eta": 35,
    "driver": {"name": "Sam", "phone": None},
    "note": "Leave the parcel with the neighbour at number 12 if nobody is at home, thanks",
    "signatureRequired": True,
}
ACCOUNT: dict[str, Any] = {
    "user": {"name": "jo", "email": "jo@example.com", "plan": "pro", "points": 12500},
    "usage": {"sms": 950, "limit": 1000},
    "renewal": "2025-06-30",
    "price": 9.99,
    "trial": False,
    "features": {"Reports": True, "API": False, "Support": True},
    "balances": {"EUR": 10.5, "USD": 3},
}

# An appointment as a German or French booking system sends it: dates as its users read them.
APPOINTMENT_LOCAL: dict[str, Any] = {
    **APPOINTMENT,
    "datum": "14. März 2024",
    "termin": "Donnerstag, 14. März 2024 09:30",
    "dateFr": "14 mars 2024",
    "datePl": "14 marca 2024",
}

# An order as a shop system sends it: a timestamp in epoch milliseconds, options as JSON text.
ORDER_SYSTEM: dict[str, Any] = {
    **ORDER,
    "placedAt": 1704466800123,
    "options": '{"gift": true, "wrap": "red", "card": "Happy birthday!", "points": 120}',
    "noOptions": "{}",
}

MODELS: dict[str, dict[str, Any]] = {
    "order_system": ORDER_SYSTEM,
    "appointment_local": APPOINTMENT_LOCAL,
    "order": ORDER,
    "empty_order": EMPTY_ORDER,
    "appointment": APPOINTMENT,
    "otp": OTP,
    "invoice": INVOICE,
    "delivery": DELIVERY,
    "account": ACCOUNT,
}

ONE_LINERS: list[tuple[str, str]] = [
    # orders
    ("Hi ${customer.firstName}, your order ${orderId} has shipped.", "order"),
    ("Hi ${customer.firstName}, your order #${orderId?c} has shipped.", "order"),
    # a JSON payload typed as the body (e.g. for a webhook-style SMS gateway): ?c quotes strings
    (
        '{"name": ${customer.firstName?c}, "order": ${orderId?c}, "title": ${customer.title?cn}}',
        "order",
    ),
    ('{"vip": ${customer.vip?c}, "note": ${note?cn}, "shop": ${"</b>"?c}}', "order"),
    ("Order ${orderId?c}: ${items?size} items, total ${total?string.currency}", "order"),
    ("Order ${orderId?c} total: ${total?string('0.00')} ${currency}", "order"),
    ("Total ${total?string['#,##0.00']} ${currency!'CHF'}", "order"),
    ("Hello ${customer.title!''} ${customer.lastName}", "order"),
    ('Hello ${(customer.title)!"customer"}', "order"),
    ("Track it: ${trackingUrl}", "order"),
    ("Tracking code ${trackingCode?upper_case}", "order"),
    ("Items: ${items?size} / ${items[1].name}", "order"),
    ("Your items: <#list items as i>${i.name}<#sep>, </#list>.", "order"),
    ("<#list items as i>${i.qty}x ${i.name}<#sep>; </#sep></#list>", "order"),
    ("First item: ${items?first.name}, last: ${items?last.name}", "order"),
    ("${items?size} item<#if items?size != 1>s</#if> on the way", "order"),
    ("${items?size} item<#if (items?size > 1)>s</#if> on the way", "order"),
    ("Shipping ${shipping?string.currency}, total ${(total + shipping)?string.currency}", "order"),
    ("Grand total: ${(total + shipping)?string('0.00')}", "order"),
    ("Note: ${note!'none'}", "order"),
    ("<#if coupon?has_content>Coupon ${coupon} applied.<#else>No coupon.</#if>", "order"),
    ("<#if express>Express delivery<#else>Standard delivery</#if> for order ${orderId?c}", "order"),
    ("Express: ${express?string('yes', 'no')}", "order"),
    ("Express: ${express?c}", "order"),
    ("Ships ${shipDate?date.iso?string('dd.MM.yyyy')}", "order"),
    ("Ships ${shipDate?date.iso?string('EEE, d MMM yyyy')}", "order"),
    ("Ships on ${shipDate?date('yyyy-MM-dd')?string('MMMM d')}", "order"),
    ("Ships ${shipDate?date.iso}", "order"),
    ("Tags: ${tags?join(', ')}", "order"),
    ("Tags: ${tags?join(', ', 'none')}", "order"),
    ("Questions? Call ${store.name} at ${store.phone}.", "order"),
    ("${customer.firstName?upper_case}, VIP: ${customer.vip?string('yes', 'no')}", "order"),
    ("<#if customer.vip>Thanks for being a VIP, ${customer.firstName}!</#if>", "order"),
    ("Hi ${customer.firstName}, your basket is empty.", "empty_order"),
    ("<#list items as i>${i}<#else>No items yet.</#list>", "empty_order"),
    ("Hi ${customer.firstName?cap_first}! Tags: ${tags?join(', ', '-')}", "empty_order"),
    ("Total ${total?string.currency}", "empty_order"),
    ("${items?has_content?string('Items ready', 'Nothing to ship')}", "empty_order"),
    # line totals: money
    ("<#list items as i>${i.name}: ${(i.qty * i.price)?string.currency}<#sep>, </#list>", "order"),
    ("<#list items as i>${i.name} ${i.qty * i.price}<#sep> | </#list>", "order"),
    ("Tea costs ${(items[0].price * 100)?c} cents", "order"),
    ("Tea: ${items[0].price?string('0.00')} EUR", "order"),
    ("Avg item price ${(total / items?size)?string('0.00')}", "order"),
    ("Avg ${total / items?size}", "order"),
    # appointments
    (
        "Reminder: ${patient.name?capitalize}, you see ${doctor} on ${date} at ${time}.",
        "appointment",
    ),
    (
        "Hi ${patient.firstName}, appointment ${start?datetime.iso?string('dd.MM.yyyy HH:mm')}",
        "appointment",
    ),
    (
        "Appointment on ${start?datetime.iso?string('EEEE, MMMM d')} at"
        " ${start?datetime.iso?string('h:mm a')}",
        "appointment",
    ),
    ("See you ${localDate?date('dd.MM.yyyy')?string('d MMM')} at ${location}", "appointment"),
    ("Your visit takes about ${durationMinutes} minutes.", "appointment"),
    ("Duration: ${(durationMinutes / 60)?string('0.#')} h", "appointment"),
    ("Please arrive ${(durationMinutes / 3)?round} min early.", "appointment"),
    ("<#if confirmed>Confirmed.<#else>Reply YES to confirm.</#if>", "appointment"),
    ("Bring: ${bring?join(', ')}.", "appointment"),
    ("Bring: <#list bring as b>${b?cap_first}<#sep>, </#list>", "appointment"),
    ("Reschedule: ${rescheduleUrl}", "appointment"),
    ("Dr.: ${doctor?replace('Dr. ', '')}", "appointment"),
    ("Reminder ${reminderHours}h before: ${date?date.iso?string('dd/MM')}", "appointment"),
    ("${patient.name?upper_case?trim} - ${location?lower_case}", "appointment"),
    # OTPs
    ("Your ${app} code is ${code}. It expires in ${minutes} minutes.", "otp"),
    ("${code} is your ${app} verification code.", "otp"),
    ("Code: ${code}. Valid ${minutes} min. Attempts left: ${maxAttempts - attempts}", "otp"),
    ("<#if attempts gte maxAttempts>Too many attempts.<#else>Code ${code}</#if>", "otp"),
    ("Code ${code[0..2]}-${code[3..5]}", "otp"),
    ("Code ${code[0..<3]} ${code[3..]}", "otp"),
    ("New login<#if device??> from ${device}</#if>. Code ${code}", "otp"),
    ("New login from ${device!'an unknown device'}", "otp"),
    ("${app}: ${code} (${minutes * 60} seconds)", "otp"),
    ("${code?length}-digit code: ${code}", "otp"),
    # invoices
    (
        "Invoice ${invoice.number}: ${invoice.amount?string.currency} due"
        " ${invoice.due?date.iso?string('dd.MM.yyyy')}",
        "invoice",
    ),
    ("Open amount: ${(invoice.amount - invoice.paid)?string('#,##0.00')}", "invoice"),
    (
        "VAT ${invoice.vatRate?string.percent}: ${(invoice.amount *"
        " invoice.vatRate)?string('0.00')}",
        "invoice",
    ),
    ("Amount incl. VAT ${(invoice.amount * (1 + invoice.vatRate))?string.currency}", "invoice"),
    ("Pay ${amount} EUR", "invoice"),
    ("Pay ${(amount * 100)?c} cents", "invoice"),
    ("Balance: ${balance}", "invoice"),
    ("Balance: ${(balance / 100)?string.currency}", "invoice"),
    ("Balance: ${balance?string('#,##0.00')} EUR", "invoice"),
    ("Balance: ${balance?string('#,##0.00 \\'EUR\\'')}", "invoice"),
    ("Fee ${fee?string('0.00')} (${(fee / amount)?string.percent} of the amount)", "invoice"),
    (
        "Discount ${discountPct}%: you save ${(amount * discountPct / 100)?string('0.00')}",
        "invoice",
    ),
    ("Rate ${rate?string('0.0%')}", "invoice"),
    ("Rate ${(rate * 100)?string('0.##')}%", "invoice"),
    ("Interest: ${(balance * rate)?string.currency}", "invoice"),
    ("Monthly: ${(balance / 12)?string('0.00')}", "invoice"),
    ("Overdue by ${overdueDays} day<#if overdueDays gt 1>s</#if>", "invoice"),
    ("Dear ${customerName}, invoice ${invoice.number} is overdue.", "invoice"),
    (
        "<#list invoice.lines as l>${l.text}: ${l.hours} h x ${l.rate} = ${(l.hours *"
        " l.rate)?string('0.00')}<#sep>; </#list>",
        "invoice",
    ),
    ("Hours: ${invoice.lines[0].hours + invoice.lines[1].hours}", "invoice"),
    ("Rounded: ${balance?round} / ${amount?floor} / ${amount?ceiling}", "invoice"),
    ("Paid ${invoice.paid?string.currency} of ${invoice.amount?string.currency}", "invoice"),
    ("Left ${(100 - invoice.paid / invoice.amount * 100)?string('0.0')}%", "invoice"),
    ("${amount?string('0.00')} / ${amount?string('#.#')} / ${amount?string('0')}", "invoice"),
    ("Amount: ${0.75?string('#.##')}", "invoice"),
    # delivery
    ("Your ${parcels} parcels arrive between ${window.from} and ${window.to}.", "delivery"),
    ("${courier}: ETA ${eta} min", "delivery"),
    ("Route: ${stops?join(' > ')}", "delivery"),
    ("Next stop: ${stops[1]}", "delivery"),
    ("Driver ${driver.name}<#if driver.phone??>, ${driver.phone}</#if>", "delivery"),
    ("Call ${driver.phone!'the depot'}", "delivery"),
    ("Note: ${note[0..*40]}", "delivery"),
    ("Note: ${note[0..*400]}", "delivery"),
    ("Note: ${note?length} chars", "delivery"),
    ("<#if signatureRequired>Signature required.</#if>", "delivery"),
    ("${parcels} parcel${(parcels != 1)?string('s', '')}", "delivery"),
    ("Stops: <#list stops as s>${s?counter}. ${s}<#sep> </#list>", "delivery"),
    ("<#list stops as s><#if s?is_last>${s}</#if></#list>", "delivery"),
    ("ETA ${(eta / 60)?string('0.0')} h", "delivery"),
    # account
    ("Hi ${user.name?cap_first}, you used ${usage.sms} of ${usage.limit} SMS.", "account"),
    ("Usage: ${(usage.sms / usage.limit)?string.percent}", "account"),
    ("Usage: ${(usage.sms / usage.limit * 100)?round}%", "account"),
    ("<#if usage.sms gte usage.limit * 0.9>You are close to your limit.</#if>", "account"),
    ("You have ${user.points} points.", "account"),
    ("Points: ${user.points?c}", "account"),
    (
        "Plan ${user.plan?upper_case} renews ${renewal?date.iso?string('MMM d, yyyy')}"
        " for ${price?string.currency}",
        "account",
    ),
    ("Renews ${renewal?date.iso?string.iso}", "account"),
    ("<#list features as name, on>${name}: ${on?string('on', 'off')}<#sep>, </#list>", "account"),
    ("<#list balances as cur, value>${value?string('0.00')} ${cur}<#sep>, </#list>", "account"),
    ("Features: ${features?keys?join('/')}", "account"),
    ("${trial?string('Trial', 'Paid')} plan", "account"),
    ("Email: ${user.email?replace('@', ' at ')}", "account"),
    ("Link: https://x.example.com/u?e=${user.email?url}", "account"),
    ("${user.name?length gt 1 && !trial}", "account"),
    ("<#if user.plan == 'pro' && !trial>Pro user</#if>", "account"),
    ("<#if user.plan == 'free' || usage.sms lt 100>Upgrade?<#else>Thanks!</#if>", "account"),
    # everyday built-ins of FreeMarker 2.3.x (issue 14)
    ("${express?then('Express', 'Standard')} delivery for ${customer.firstName}", "order"),
    ("${(items?size > 1)?then('items', 'item')}: ${items?size}", "order"),
    ("Hi ${customer.title?has_content?then(customer.title!'', customer.firstName)}", "order"),
    ("Ref ${orderId?c?left_pad(8, '0')}", "order"),
    ("${'Qty'?right_pad(6)}|${'Item'?right_pad(12, '.')}|", "order"),
    ("Host: ${trackingUrl?keep_after('://')?keep_before('/')}", "order"),
    ("Parcel ${trackingUrl?keep_after_last('/')}", "order"),
    ("Path: ${trackingUrl?keep_before_last('/')}", "order"),
    (
        "Code ${trackingCode?remove_beginning('ABC')} / ${trackingCode?remove_ending('123')}",
        "order",
    ),
    ("Call ${store.phone?ensure_starts_with('+')}", "order"),
    ("${store.name?ensure_ends_with('.')}", "order"),
    ("<#if trackingUrl?index_of('track') gte 0>Track online</#if>", "order"),
    ("@ ${user.email?index_of('@')} of ${user.email?length}", "account"),
    ("Domain: ${user.email?keep_after('@')}", "account"),
    ("Hello ${user.email?keep_before('@')?cap_first}", "account"),
    ("Last dot at ${user.email?last_index_of('.')}", "account"),
    ("Stops: ${stops?size}, first word of note: ${note?word_list?first}", "delivery"),
    ("${note?word_list?size} words", "delivery"),
    ("<#list window.from?split(':') as part>${part}<#sep>h</#list>", "delivery"),
    ("<#list location?split(', ') as part>[${part}]</#list>", "appointment"),
    ("Bring ${bring?sort?join(', ')}", "appointment"),
    ("<#list items?sort_by('price') as i>${i.name}<#sep>, </#list>", "order"),
    ("Cheapest: ${items?sort_by('price')?first.name}", "order"),
    ("Most: ${items?sort_by('qty')?reverse?first.name}", "order"),
    ("Max price ${items?sort_by('price')?last.price?string.currency}", "order"),
    ("<#list [3, 1, 2]?sort as n>${n}</#list> ${[4, 9, 2]?min}-${[4, 9, 2]?max}", "order"),
    ("Fragile: ${(tags?seq_index_of('fragile') >= 0)?c}", "order"),
    ("Position ${stops?seq_index_of('Hub') + 1} of ${stops?size}", "delivery"),
    ("<#list bring?chunk(2) as row>${row?join(' + ')}<#sep> / </#list>", "appointment"),
    ("${code?is_string?c} ${minutes?is_number?c} ${(device!'')?is_string?c}", "otp"),
    ("<#if attempts?is_number>${maxAttempts - attempts} left</#if>", "otp"),
    ("${features?is_hash?c} ${balances?is_sequence?c}", "account"),
    ("<#assign labels = {'EUR': 'Euro', 'USD': 'Dollar'}>${labels[currency]}", "order"),
    (
        "<#assign names = {'pro': 'Professional', 'free': 'Free'}>${names[user.plan]!user.plan}",
        "account",
    ),
    (
        "<#list {'SMS': usage.sms, 'Limit': usage.limit} as k, v>${k}: ${v}<#sep>, </#list>",
        "account",
    ),
    ("${{'a': 'x', 'b': 'y'}['b']} ${{'n': usage.sms}.n}", "account"),
    ("Note: ${note?chop_linebreak}", "delivery"),
    ("Note: ${note?truncate(40)}", "delivery"),
    ("<#if .now?string('yyyy')?number gte 2024>Sent by ${courier}</#if>", "delivery"),
    ("${.now?is_datetime?c} ${(.now?string.iso?length gt 19)?c}", "delivery"),
    ("Note: ${note?truncate(30, '...')}", "delivery"),
    ("Note: ${note?truncate_w(25)} / ${note?truncate_c(25)}", "delivery"),
    ("${customerName?truncate(6, '.')}: ${invoice.number}", "invoice"),
    ("Where: ${location?truncate(12, '…')}", "appointment"),
]

MULTI_LINE: list[tuple[str, str]] = [
    (
        """Hi ${customer.firstName},
<#if items?has_content>
your order ${orderId?c} (${items?size} items) ships on ${shipDate?date.iso?string["dd.MM.yyyy"]}.
<#else>
your order is empty.
</#if>
Total: ${total?string.currency}""",
        "order",
    ),
    (
        """Hi ${customer.firstName},
your items:
<#list items as item>
- ${item.qty} x ${item.name}: ${(item.qty * item.price)?string.currency}
</#list>
Total: ${total?string.currency}
""",
        "order",
    ),
    (
        """    Hi ${customer.firstName},
    <#if express>
      Express shipping!
    </#if>
    Order ${orderId?c}
    """,
        "order",
    ),
    (
        """Hello ${customer.firstName}
  <#list items as item>
    ${item.name}
  </#list>
Bye""",
        "order",
    ),
    (
        """<#-- order confirmation -->
Hi ${customer.firstName}!
<#-- items -->
<#list items as i>${i.name}<#sep>, </#list>
""",
        "order",
    ),
    (
        """<#assign sum = 0>
<#list items as i>
  <#assign sum = sum + i.qty * i.price>
</#list>
Sum: ${sum?string.currency}""",
        "order",
    ),
    (
        """<#assign count = 0>
<#list items as i><#assign count += i.qty></#list>
${count} pieces""",
        "order",
    ),
    (
        """<#assign n = items?size>
You ordered ${n} item<#if n != 1>s</#if>:
<#list items as i>
  ${i?counter}. ${i.name}
</#list>""",
        "order",
    ),
    (
        """Dear ${customer.title!"customer"},
<#if customer.vip>
  as a VIP you get free shipping.
<#elseif total gt 20>
  your order qualifies for free shipping.
<#else>
  shipping costs ${shipping?string.currency}.
</#if>
Thank you!""",
        "order",
    ),
    (
        """<#list items>
Items:
<#items as i>
  * ${i.name}
</#items>
<#else>
No items.
</#list>""",
        "order",
    ),
    (
        """<#list items>
Items:
<#items as i>
  * ${i.name}
</#items>
<#else>
No items.
</#list>""",
        "empty_order",
    ),
    (
        """Hi ${customer.firstName?cap_first},
<#if items?size == 0>
  we are waiting for your first order.
</#if>
""",
        "empty_order",
    ),
    (
        """Order ${orderId?c}
<#list tags as t>
  #${t}
<#else>
  (no tags)
</#list>
""",
        "empty_order",
    ),
    (
        """Reminder for ${patient.name?capitalize}
Date: ${start?datetime.iso?string("dd.MM.yyyy")}
Time: ${start?datetime.iso?string("HH:mm")}
Place: ${location}
<#if !confirmed>
Reply YES to confirm.
</#if>""",
        "appointment",
    ),
    (
        """Hi ${patient.firstName},
  please bring:
  <#list bring as b>
    - ${b}
  </#list>
  See you!""",
        "appointment",
    ),
    (
        """Hi ${patient.firstName}, <#if confirmed>see you<#else>please confirm</#if>
on ${date?date.iso?string("EEEE")}.""",
        "appointment",
    ),
    (
        """<#if durationMinutes gt 30>
Plan ${durationMinutes} minutes.
</#if>
<#if reminderHours lt 48>
This is your ${reminderHours}h reminder.
</#if>""",
        "appointment",
    ),
    (
        """${app}
Code: ${code}
Valid for ${minutes} minutes.
<#if attempts gt 0>
Attempts: ${attempts}/${maxAttempts}
</#if>
Do not share it.""",
        "otp",
    ),
    (
        """<#-- OTP message
     kept short -->
${code} is your code
""",
        "otp",
    ),
    (
        """Your code: ${code}
<#-- device line -->
<#if device??>
Device: ${device}
</#if>
""",
        "otp",
    ),
    (
        """Invoice ${invoice.number}
<#list invoice.lines as line>
${line.text}: ${(line.hours * line.rate)?string("#,##0.00")}
</#list>
VAT: ${(invoice.amount * invoice.vatRate)?string("#,##0.00")}
Total: ${(invoice.amount * (1 + invoice.vatRate))?string.currency}""",
        "invoice",
    ),
    (
        """<#assign open = invoice.amount - invoice.paid>
<#if open gt 0>
  Please pay ${open?string.currency} by ${invoice.due?date.iso?string("d MMM yyyy")}.
<#else>
  Paid in full, thanks!
</#if>""",
        "invoice",
    ),
    (
        """Dear ${customerName},
    your balance is ${balance?string.currency}.
    <#if overdueDays gt 0>
    It is ${overdueDays} days overdue.
    </#if>
    Kind regards""",
        "invoice",
    ),
    (
        """<#assign vat = (amount * invoice.vatRate)>
Net ${amount?string("0.00")}
VAT ${vat?string("0.00")}
Gross ${(amount + vat)?string("0.00")}""",
        "invoice",
    ),
    (
        """<#assign cents = (amount * 100)?int>
${cents} cents""",
        "invoice",
    ),
    (
        """Parcels: ${parcels}
<#list stops as stop>
<#if stop?is_first>
Start: ${stop}
<#elseif stop?is_last>
End: ${stop}
<#else>
Via: ${stop}
</#if>
</#list>""",
        "delivery",
    ),
    (
        """Hi, ${courier} here.
<#if signatureRequired>
  A signature is required.
</#if>
  Window: ${window.from}-${window.to}
""",
        "delivery",
    ),
    (
        """${courier}: <#list stops as s>${s}<#if s?has_next> -> </#if></#list>
ETA ${eta} min""",
        "delivery",
    ),
    (
        """Hi ${user.name?cap_first},
<#list features as name, enabled>
  <#if enabled>
  + ${name}
  </#if>
</#list>
""",
        "account",
    ),
    (
        """<#assign left = usage.limit - usage.sms>
<#if left lte 0>
No SMS left.
<#elseif left lt 100>
Only ${left} SMS left.
<#else>
${left} SMS left.
</#if>""",
        "account",
    ),
    (
        """Balances:
<#list balances as currency, value>
  ${currency}: ${value?string("0.00")}
</#list>""",
        "account",
    ),
    (
        """Hi ${user.name}
<#if trial>Trial ends ${renewal?date.iso?string("dd.MM.")}<#else>Renews ${renewal}</#if>
Bye""",
        "account",
    ),
]


# Macros (issue 14).
MACROS: list[tuple[str, str]] = [
    (
        """<#macro line label value>
  ${label}: ${value}
</#macro>
Invoice ${invoice.number}
<@line label="Amount" value=invoice.amount?string.currency/>
<@line label="Due" value=invoice.due/>
Thanks""",
        "invoice",
    ),
    (
        """<#macro greet name=customer.firstName>Hi ${name}</#macro>
<@greet/>, your order ${orderId?c} ships soon.
<@greet name="there"/>!""",
        "order",
    ),
    (
        """<#macro signed>
<#nested>
-- ${app}
</#macro>
<@signed>
Your code is ${code}.
</@signed>""",
        "otp",
    ),
    (
        """<#macro item i><#if i.qty == 0><#return></#if>${i.qty}x ${i.name}</#macro>
<#list items as i><@item i=i/><#sep>, </#list>""",
        "order",
    ),
]

# Catch-all parameters, loop variables of nested content, <#return> from inside blocks.
MACRO_FEATURES: list[tuple[str, str]] = [
    (
        """<#macro lineItems list>
  <#list list as i>
    <#nested i.name, i.qty>
  </#list>
</#macro>
Your order ${orderId?c}:
<@lineItems list=items ; name, qty>
  - ${qty} x ${name}
</@lineItems>
Total ${total?string.currency}""",
        "order",
    ),
    (
        """<#macro price i><#nested i.price?string.currency></#macro>
<#list items as i><@price i=i ; p>${i.name} ${p}<#sep>, </@price></#list>""",
        "order",
    ),
    (
        """<#macro item i><#nested i.name></#macro>
<#list items as i><@item i=i ; name>${name}</@item><#sep>, </#list>""",
        "order",
    ),
    (
        """<#macro lines>
<#list invoice.lines as l><#nested l.text, l.hours * l.rate, l?counter></#list>
</#macro>
<@lines ; text, sum, n>${n}. ${text}: ${sum?string.currency}
</@lines>Due ${invoice.due}""",
        "invoice",
    ),
    (
        """<#macro each seq><#list seq as x><#nested x></#list></#macro>
<@each seq=bring ; thing>
<#if thing != "ID">
* ${thing?cap_first}
</#if>
</@each>""",
        "appointment",
    ),
    (
        """<#macro greet who parts...>Hi ${who}<#list parts as p>, ${p}</#list>!</#macro>
<@greet customer.firstName "your order" "is ready"/>""",
        "order",
    ),
    (
        """<#macro sms to fields...>
To ${to}: <#list fields as key, value>${key}=${value}<#sep>; </#list>
</#macro>
<@sms to=driver.name eta=eta parcels=parcels courier=courier/>""",
        "delivery",
    ),
    (
        """<#function sum nums...>
  <#local t = 0>
  <#list nums as n><#local t = t + n></#list>
  <#return t>
</#function>
Total: ${sum(amount, fee, balance)?string("0.00")} (${sum()})""",
        "invoice",
    ),
    (
        """<#macro firstBig>
  <#list items as i>
    <#if i.price gt 10>${i.name}<#return></#if>
  </#list>
  none
</#macro>
Top item: <@firstBig/>""",
        "order",
    ),
    (
        """<#macro status>
<#switch usage.sms * 100 / usage.limit>
  <#case 100>Limit reached.<#return>
  <#default>${usage.sms} of ${usage.limit} SMS used.
</#switch>
Renews ${renewal}.
</#macro>
<@status/>""",
        "account",
    ),
    (
        """<#macro line label><#compress>
  ${label}:   <#if !(driver.phone??)>no phone<#return></#if> ${driver.phone}
</#compress> (call)</#macro>
<@line label="Driver"/>.""",
        "delivery",
    ),
    (
        """<#macro safe>
<#attempt>${code?number * 2}<#return><#recover>code ${code}</#attempt>
</#macro>
Your <@safe/>.""",
        "otp",
    ),
]

# Functions (issue 14).
FUNCTIONS: list[tuple[str, str]] = [
    (
        """<#function lineTotal l><#return l.hours * l.rate></#function>
<#list invoice.lines as l>${l.text}: ${lineTotal(l)?string.currency}<#sep>; </#list>""",
        "invoice",
    ),
    (
        """<#function plural n word><#return (n == 1)?then(word, word + "s")></#function>
${parcels} ${plural(parcels, "parcel")}, ${eta} ${plural(eta, "minute")}""",
        "delivery",
    ),
    (
        """<#function firstExpensive>
  <#list items as i><#if i.price gt 4><#return i.name></#if></#list>
</#function>
Top: ${firstExpensive()!"none"}""",
        "order",
    ),
]

# Trim directives (issue 14): one line built over several.
TRIMS: list[tuple[str, str]] = [
    (
        """Your items:
<#list items as i>
  ${i.name}<#if i?has_next>,</#if><#rt>
</#list>

Total ${total}""",
        "order",
    ),
    (
        """<#list bring as b>
  <#t>- ${b}
</#list>""",
        "appointment",
    ),
    (
        """Hi ${patient.firstName},
    <#lt>see you on ${date}.
  <#nt>  Bring your card.""",
        "appointment",
    ),
]

# <#switch> (issue 14), typed as in a BPMN input mapping.
SWITCHES: list[tuple[str, str]] = [
    (
        """Hi ${user.name?cap_first},
<#switch user.plan>
  <#case "pro">
    Your Pro plan renews on ${renewal}.
    <#break>
  <#case "free">
    Upgrade to Pro for more SMS.
    <#break>
  <#default>
    Thanks for being with us.
</#switch>
Bye""",
        "account",
    ),
    (
        """<#switch courier>
<#on "DHL", "UPS">Your parcel is with ${courier}.
<#on "Post">The post brings it.
<#default>A courier brings it.
</#switch>
ETA ${eta} min""",
        "delivery",
    ),
    (
        """<#switch attempts>
  <#case 0>
  <#case 1>
    Code ${code}.
    <#break>
  <#default>
    Code ${code} (attempt ${attempts} of ${maxAttempts}).
</#switch>""",
        "otp",
    ),
    (
        """<#list items as i>
  <#switch i.qty>
    <#on 1>one ${i.name}
    <#default>${i.qty} x ${i.name}
  </#switch>
</#list>""",
        "order",
    ),
    (
        "<#switch currency><#case 'EUR'>€<#break><#case 'USD'>$<#break>"
        "<#default>${currency}</#switch>${total}",
        "order",
    ),
    (
        "<#switch express?c><#case 'true'>Express<#break><#default>Standard</#switch> shipping",
        "order",
    ),
    (
        """Dear ${customerName},
<#attempt>
  Your invoice ${invoice.number} of ${invoice.amount?string.currency} is due ${invoice.due}.
<#recover>
  Your invoice ${invoice.number} is due soon.
</#attempt>
Thank you""",
        "invoice",
    ),
    (
        """<#attempt>
Hi ${customer.title}!
<#recover>
Hi ${customer.firstName}!
</#attempt>""",
        "order",
    ),
    (
        """<#compress>
  Hi ${patient.firstName},

  see   ${doctor}   on ${date}
    at ${time}.
</#compress>""",
        "appointment",
    ),
    ("<#compress>  Code:   ${code}  </#compress>", "otp"),
    ("Use <#noparse>${code}</#noparse> in templates; your code is ${code}.", "otp"),
    (
        """<#global brand = app?upper_case>
${brand}: code ${code}""",
        "otp",
    ),
    (
        "<#list bring as b><#attempt>${b?cap_first}<#recover>?</#attempt><#sep>, </#list>",
        "appointment",
    ),
]


# Regular expressions as SMS authors use them: cleaning phone numbers, checking codes, splitting
# lists typed by people, shortening references (FreeMarker strings, raw r'...' ones too).
REGEXES: list[tuple[str, str]] = [
    ("Call us: ${store.phone?replace('[^0-9+]', '', 'r')}", "order"),
    (r"Call us: ${store.phone?replace(r'\s+', '-', 'r')}", "order"),
    (r"<#if code?matches(r'\d{6}')>Your code: ${code}<#else>Invalid code</#if>", "otp"),
    (r"Code ${code?replace(r'(\d{3})(\d{3})', '$1 $2', 'r')} for ${app}", "otp"),
    (
        "<#if !trackingCode?matches('[A-Z]{3}\\\\d{3}')>Check your tracking code"
        "<#else>Tracking ${trackingCode}</#if>",
        "order",
    ),
    (
        r"Where: <#list location?split(r'\s*,\s*', 'r') as part>${part}<#sep> / </#list>",
        "appointment",
    ),
    (r"Ref ${invoice.number?replace(r'^INV-(\d{4})-0*(\d+)$', '$1/$2', 'r')}", "invoice"),
    (r"Dear ${doctor?replace(r'^dr\.?\s*', '', 'ri')}", "appointment"),
    (r"${note?keep_before(r'\s+if\b', 'r')}.", "delivery"),
    (
        "<#assign m = user.email?matches(r'([^@]+)@(.+)')>"
        "<#if m>Mail to ${m?groups[1]} at ${m?groups[2]?upper_case}</#if>",
        "account",
    ),
    ("Tracking: <#list trackingUrl?matches(r'[A-Z0-9]{6}$') as m>${m}</#list>", "order"),
    ("${customerName?replace('ag', 'AG', 'if')} pays ${amount}", "invoice"),
    (
        r"<#list rescheduleUrl?matches(r'(\w+)=(\w+)') as p>${p?groups[1]}:${p?groups[2]} </#list>",
        "appointment",
    ),
]


LAMBDAS: list[tuple[str, str]] = [
    ('In stock: ${items?filter(i -> i.qty > 0)?map(i -> i.name)?join(", ")}', "order"),
    ("${items?filter(i -> i.price > 10)?size} premium item(s)", "order"),
    (
        """<#list items?filter(i -> i.qty > 1) as item>
- ${item.qty} x ${item.name}
</#list>""",
        "order",
    ),
    ('Tags: ${tags?map(t -> t?upper_case)?join(" / ", "none")}', "order"),
    ('Tags: ${tags?map(t -> t?upper_case)?join(" / ", "none")}', "empty_order"),
    ("First cheap item: ${items?filter(i -> i.price < 5)?first.name}", "order"),
    ("${(items?filter(i -> i.price > 100)?first.name)!'nothing over 100'}", "order"),
    ('Bring: ${bring?map((b) -> b?cap_first)?join(", ")}', "appointment"),
    ('Hours: ${invoice.lines?map(l -> l.hours * l.rate)?join(" + ")}', "invoice"),
    (
        """<#function billable line><#return line.hours gt 1></#function>
Billable: ${invoice.lines?filter(billable)?map(l -> l.text)?join(", ")}""",
        "invoice",
    ),
    ('Route: ${stops?take_while(s -> s != "Your door")?join(" > ")}', "delivery"),
    ('Next: ${stops?drop_while(s -> s == "Depot")?first}', "delivery"),
    (
        """<#list items as i>
${i.name}: ${items?filter(o -> o.price < i.price)?size} cheaper
</#list>""",
        "order",
    ),
    ("Year: ${.now?string('yyyy')?length} digits", "otp"),
    ("${(.now?string('yyyy')?length == 4)?c}", "otp"),
    ("Lang ${.lang}, locale ${.locale}, zone ${.time_zone}", "otp"),
    ('<#setting locale="de_DE">Sprache: ${.lang} (${.locale})', "otp"),
    ('Your code ${.vars["code"]} is valid for ${.data_model.minutes} min.', "otp"),
    ("Template ${.template_name}, FreeMarker ${.version}", "otp"),
    (
        """<#attempt>
${device.name}
<#recover>
no device<#if .error?has_content> (error noted)</#if>
</#attempt>""",
        "otp",
    ),
    ("${note?truncate_m(30, '...')}", "delivery"),
    ("${note?truncate_w_m(40, ' [more]')}", "delivery"),
    ("${note?truncate_c_m(25, '…', 1)}", "delivery"),
    ("${courier?truncate_m(30)}", "delivery"),
]


# Bodies built for other systems: JSON, XML, links; and `?switch` for codes to words.
ESCAPES: list[tuple[str, str]] = [
    (
        '{"to": "${store.phone?json_string}", "text": "Order ${orderId?c} for '
        '${customer.firstName?json_string}: ${items?map(i -> i.name)?join(", ")?json_string}"}',
        "order",
    ),
    ('{"note": "${note?json_string}", "driver": "${driver.name?json_string}"}', "delivery"),
    ("<sms><to>${store.phone?xml}</to><body>${store.name?xml} &amp; you</body></sms>", "order"),
    ("<p title='${location?xhtml}'>${doctor?xhtml}</p>", "appointment"),
    ("var user = '${user.name?js_string}'; var mail = '${user.email?js_string}';", "account"),
    ("https://x.example.com/${user.plan?url_path('UTF-8')}/${user.name?url('UTF-8')}", "account"),
    ("Status: ${eta?switch(0, 'arrived', 35, 'on its way', 'delayed')}", "delivery"),
    (
        "<#list stops as s>${s?index?switch(0, 'from', stops?size - 1, 'to', 'via')} ${s}"
        "<#sep>, </#list>",
        "delivery",
    ),
    ("${user.plan?switch('free', 'Free', 'pro', 'Pro', 'Business')} plan", "account"),
    ("Coupon: ${coupon?trim_to_null!'none'}, note: ${note?blank_to_null!'none'}", "order"),
    ("Hi ${customer.firstName?c_upper_case}, ${('true'?boolean)?then('welcome', 'bye')}", "order"),
    *(
        (f"${{'Say \"hi\" </b> ]]> <!-- x --> <?p \\\\ {{a}} it\\'s\\t1\\n2'?{name}}}", "order")
        for name in ["js_string", "json_string", "j_string", "xml", "xhtml", "rtf"]
    ),
    ("${'>x<'?js_string}${'>x<'?json_string} ${'/a b/ç?&=#%+'?url_path('UTF-8')}", "order"),
    ("${'ΣΑΣ İstanbul ǅ'?c_lower_case} ${'straße ǆ ﬀ'?c_upper_case}", "order"),
]


def _crlf(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Windows line breaks, as a template pasted from a Windows editor has."""
    return [(template.replace("\n", "\r\n"), model) for template, model in cases]


# Templates that choose their language and zone (the worker's default is en_US in UTC).
LOCALIZED: list[tuple[str, str]] = [
    (
        '<#setting locale="de_DE">\n<#setting time_zone="Europe/Berlin">\n'
        "Hallo ${patient.firstName}, Ihr Termin: ${start?datetime.iso?string.full}.\n"
        "Bitte 10 Minuten früher kommen.",
        "appointment",
    ),
    (
        '<#setting time_zone="America/New_York">'
        "Reminder: ${doctor} on ${start?datetime.iso?string.full}, ${location}.",
        "appointment",
    ),
    (
        '<#setting locale="en_GB"><#setting time_zone="Europe/London">'
        "Your appointment: ${start?datetime.iso?string.long}",
        "appointment",
    ),
    (
        '<#setting locale="de_DE">Ihr Termin am '
        '${datum?date("d. MMMM yyyy")?string("EEEE, dd.MM.")} bei ${doctor}',
        "appointment_local",
    ),
    (
        '<#setting locale="de_DE"><#setting time_zone="Europe/Berlin">'
        '<#assign at = termin?datetime("EEEE, d. MMMM yyyy HH:mm")>'
        "Termin ${at?string.short} (${at?string('HH:mm z')}), UTC: ${at?string.iso_u}",
        "appointment_local",
    ),
    (
        '<#setting locale="fr_FR">Rendez-vous le ${dateFr?date("d MMMM yyyy")?string.full}',
        "appointment_local",
    ),
    (
        '<#setting locale="pl_PL">Wizyta ${datePl?date("d MMMM yyyy")?string("EEEE, d MMMM")}',
        "appointment_local",
    ),
    (
        '<#setting datetime_format="iso m">Starts ${start?datetime.iso}'
        " (${start?datetime.iso?string.xs})",
        "appointment",
    ),
    (
        '<#setting locale="ja_JP"><#setting time_zone="Asia/Tokyo">'
        "予約: ${start?datetime.iso?string.full}",
        "appointment",
    ),
    (
        '<#setting locale="pt_BR"><#setting time_zone="America/Sao_Paulo">'
        "Consulta ${start?datetime.iso?string.long_short}, ${start?datetime.iso?string('HH:mm z')}",
        "appointment",
    ),
]


NUMBERS: list[tuple[str, str]] = [
    ("<#list items as i>${i?counter?lower_abc}) ${i.name}<#sep>, </#list>", "order_system"),
    (
        """<#list items as item>
  ${item?counter?upper_abc}. ${item.qty} x ${item.name}
</#list>""",
        "order_system",
    ),
    ("Ordered ${placedAt?number_to_datetime}", "order_system"),
    (
        '<#setting time_zone="Europe/Zurich">Bestellt am '
        '${placedAt?number_to_datetime?string("dd.MM.yyyy HH:mm")}',
        "order_system",
    ),
    ("Order of ${placedAt?number_to_date?string.medium}, ref ${orderId?long?c}", "order_system"),
    (
        """<#assign opts = options?eval_json>
<#if opts.gift!false>
  Gift wrap: ${opts.wrap}. Card: "${opts.card}"
</#if>
You earn ${opts.points} points (${(opts.points * 0.05)?string.currency}).""",
        "order_system",
    ),
    ("<#assign opts = noOptions?eval_json>${opts.wrap!'No gift wrap'}", "order_system"),
    ("Total ${total?float?string('0.00')} (${total?double?c})", "order_system"),
]


def cases() -> list[tuple[str, dict[str, Any]]]:
    chosen = (
        ONE_LINERS
        + MULTI_LINE
        + _crlf(MULTI_LINE[:8])
        + SWITCHES
        + _crlf(SWITCHES[:2])
        + TRIMS
        + MACROS
        + MACRO_FEATURES
        + _crlf(MACRO_FEATURES[:2])
        + FUNCTIONS
        + LOCALIZED
        + REGEXES
        + LAMBDAS
        + ESCAPES
        + NUMBERS
    )
    return [(template, MODELS[model]) for template, model in chosen]
