SELECT eventTime, sourceIPAddress, eventName, eventSource
FROM cloudtrail_logs
WHERE eventSource LIKE '%:8443%' OR requestParameters LIKE '%8443%'
ORDER BY eventTime DESC;
